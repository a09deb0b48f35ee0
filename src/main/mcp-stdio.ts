// `twisterlab mcp`: the MCP server on stdin/stdout for a local client that starts it as a subprocess. It opens
// the store itself (the same runtime as `serve`, without listening); logs go to stderr, stdout is the protocol.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Config } from '../config.ts';
import { createLogger, createRuntime } from './runtime.ts';

export async function serveMcpStdio(config: Readonly<Config>): Promise<number> {
  const logger = createLogger(config, 2);
  // Beside an API on PostgreSQL, the API recovers unfinished tickets; the embedded store is this process's alone.
  const runtime = await createRuntime({ ...config, recoverOnStart: config.recoverOnStart && !config.databaseUrl }, logger);
  const caller = { name: 'stdio', role: config.mcpStdioRole };
  const server = runtime.mcp.serverFor(caller);
  await server.connect(new StdioServerTransport());
  logger.info({ store: runtime.opened.kind, role: caller.role, tools: runtime.mcp.tools.size }, 'MCP server on stdio');
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await runtime.close();
  return 0;
}
