// `twisterlab mcp`: the MCP server on stdin/stdout for a local client that starts it as a subprocess. It opens
// the store itself (the same runtime as `serve`, without listening); logs go to stderr, stdout is the protocol.
//
// Loading the runtime (store, migrations, agents, adapters) takes seconds, and clients time out on `initialize`.
// So the process answers at once, from a server built like the real one (same name, capabilities and
// instructions) while the runtime loads in the background: `initialize`, `ping`, and the catalogues that need no
// store — tools (the tool catalogue the runtime checks it registers), prompts and resource templates. Every other
// request (tools/call, resources/list and reads, prompts/get) waits in order for the real server, which is then
// initialized with the client's own `initialize` so it knows the client as if it had answered it.
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { PACKAGE_VERSION } from '../adapters/package-root.ts';
import type { Config } from '../config.ts';
import { createMcpServer, type McpServerDeps } from '../mcp/mcp-server.ts';
import { toolCatalogue } from '../mcp/tool-catalogue.ts';

/** Methods the early server may answer: they need nothing from the runtime. */
const EARLY = new Set([
  'initialize',
  'notifications/initialized',
  'ping',
  'tools/list',
  'prompts/list',
  'resources/templates/list',
]);

export async function serveMcpStdio(config: Readonly<Config>): Promise<number> {
  const stdio = new StdioServerTransport();
  const gate = new GatedTransport(stdio);
  await gate.open();
  const loading = import('./runtime.ts').then(async ({ createLogger, createRuntime }) => {
    const logger = createLogger(config, 2);
    // Beside an API on PostgreSQL, the API recovers unfinished tickets; the embedded store is this process's alone.
    const runtime = await createRuntime(
      { ...config, recoverOnStart: config.recoverOnStart && !config.databaseUrl },
      logger,
    );
    return { logger, runtime };
  });
  const closed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let started;
  try {
    started = await loading;
  } catch (error) {
    // Nothing can be served: the client sees the pipe close, the reason goes to stderr.
    process.stderr.write(`twisterlab mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    await gate.close();
    return 1;
  }
  const { logger, runtime } = started;
  const caller = { name: 'stdio', role: config.mcpStdioRole };
  const server = runtime.mcp.serverFor(caller);
  await server.connect(gate);
  logger.info({ store: runtime.opened.kind, role: caller.role, tools: runtime.mcp.tools.size }, 'MCP server on stdio');
  await gate.handOver();
  await closed;
  await server.close();
  await runtime.close();
  return 0;
}

/**
 * The real server's transport over stdio. Until handOver(), `initialize` and `ping` are answered by an early server
 * and every other message is held; handOver() replays the client's `initialize` to the real server (its answer
 * was already given, so this one is dropped), then delivers the held messages in their order.
 */
class GatedTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private held: JSONRPCMessage[] = [];
  private initialize: JSONRPCMessage | undefined;
  private dropAnswerTo: RequestId | undefined;
  private open_ = false;
  private readonly early: InMemoryTransport;

  constructor(private readonly stdio: StdioServerTransport) {
    const [client, server] = InMemoryTransport.createLinkedPair();
    this.early = client;
    client.onmessage = (message) => void stdio.send(message).catch((error: unknown) => this.onerror?.(error as Error));
    // Only the EARLY methods reach it; the other deps are read by handlers it never runs.
    void createMcpServer(earlyDeps(), () => ({ name: 'stdio', role: 'viewer' })).connect(server);
  }

  async open(): Promise<void> {
    this.stdio.onmessage = (message) => this.receive(message);
    this.stdio.onclose = () => this.onclose?.();
    this.stdio.onerror = (error) => this.onerror?.(error);
    await this.early.start();
    await this.stdio.start();
  }

  /** Called by the real server's connect(); messages flow to it only from handOver(). */
  async start(): Promise<void> {}

  async handOver(): Promise<void> {
    this.open_ = true;
    if (this.initialize) {
      if (isJSONRPCRequest(this.initialize)) this.dropAnswerTo = this.initialize.id;
      this.onmessage?.(this.initialize);
    }
    for (const message of this.held.splice(0)) this.onmessage?.(message);
    await this.early.close();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (
      this.dropAnswerTo !== undefined &&
      'id' in message &&
      message.id === this.dropAnswerTo &&
      !('method' in message)
    ) {
      this.dropAnswerTo = undefined;
      return;
    }
    await this.stdio.send(message);
  }

  async close(): Promise<void> {
    await this.early.close();
    await this.stdio.close();
  }

  private receive(message: JSONRPCMessage): void {
    if (this.open_) {
      this.onmessage?.(message);
      return;
    }
    const method = 'method' in message ? message.method : undefined;
    if (method !== undefined && EARLY.has(method)) {
      if (method === 'initialize') this.initialize = message;
      // The real server learns the session started too (its oninitialized), after its own initialize.
      if (method === 'notifications/initialized') this.held.push(message);
      void this.early.send(message);
      return;
    }
    this.held.push(message);
  }
}

function earlyDeps(): McpServerDeps {
  const unavailable = () => {
    throw new Error('the runtime is still loading');
  };
  return {
    version: PACKAGE_VERSION,
    tools: { list: toolCatalogue, call: unavailable },
    resources: {} as McpServerDeps['resources'],
  };
}
