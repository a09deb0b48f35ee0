// Streamable HTTP sessions: one transport and one server per `mcp-session-id`, bound to the API key that
// opened it (another key gets "session not found"), closed when idle, when the client deletes it, or at shutdown.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../core/access.ts';
import type { Logger } from '../core/logger.ts';
import { authInfoFor } from './mcp-server.ts';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  owner: string;
  lastSeen: number;
}

export interface McpHttpOptions {
  createServer: () => Server;
  logger: Logger;
  idleMs?: number;
  maxSessions?: number;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

export class McpHttpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: McpHttpOptions) {
    this.idleMs = options.idleMs ?? 30 * 60_000;
    this.maxSessions = options.maxSessions ?? 1000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000)).unref();
  }

  private closing = false;

  get closed(): boolean {
    return this.closing;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Handles POST, GET and DELETE on the MCP endpoint for a caller already authenticated. */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, caller: Caller): Promise<void> {
    (req as IncomingMessage & { auth?: unknown }).auth = authInfoFor(caller);
    const id = req.headers['mcp-session-id'];
    if (this.closing) return rpcError(res, 503, -32000, 'shutting down');
    if (typeof id === 'string') {
      const session = this.sessions.get(id);
      if (!session || session.owner !== caller.name) return rpcError(res, 404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return rpcError(res, 400, -32000, 'Bad Request: no mcp-session-id header; start with an initialize request');
    }
    if (this.sessions.size >= this.maxSessions) return rpcError(res, 503, -32000, 'Too many MCP sessions; try again later');
    return (await this.open(caller)).handleRequest(req, res, body);
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  private async open(caller: Caller): Promise<StreamableHTTPServerTransport> {
    const server = this.options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, { transport, server, owner: caller.name, lastSeen: Date.now() });
      },
      onsessionclosed: (sessionId) => {
        this.sessions.delete(sessionId);
      },
    });
    transport.onerror = (err) => this.options.logger.warn({ err }, 'MCP transport error');
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  private async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.server.close().catch((err: unknown) => this.options.logger.warn({ err, sessionId: id }, 'closing an MCP session failed'));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, session] of this.sessions) if (session.lastSeen < cutoff) void this.close(id);
  }
}
