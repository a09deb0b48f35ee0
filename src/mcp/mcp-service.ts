// The MCP surface of one process: the tool catalogue, HTTP sessions for /mcp, servers for stdio, and the
// status that GET /api/v1/mcp/status reports.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../core/access.ts';
import { McpHttpSessions, type McpSessionLimits } from './http-sessions.ts';
import { resourceTemplates, type McpResourceDeps } from './mcp-resources.ts';
import { callerFromAuthInfo, createMcpServer } from './mcp-server.ts';
import { McpTools, type McpToolDeps } from './mcp-tools.ts';

export interface McpServiceDeps extends McpToolDeps, McpResourceDeps {
  version: string;
  sessions?: McpSessionLimits;
}

export interface McpService {
  tools: McpTools;
  http: McpHttpSessions;
  /** A server whose every request is made by `caller` (stdio: the process owner, with the configured role). */
  serverFor(caller: Caller): Server;
  status(): Record<string, unknown>;
}

export function createMcpService(deps: McpServiceDeps): McpService {
  const tools = new McpTools(deps);
  const serverDeps = {
    tools,
    resources: { store: deps.store, runbooks: deps.runbooks },
    version: deps.version,
    logger: deps.logger,
  };
  const http = new McpHttpSessions({
    createServer: () => createMcpServer(serverDeps, callerFromAuthInfo),
    logger: deps.logger,
    ...deps.sessions,
  });
  return {
    tools,
    http,
    serverFor: (caller) => createMcpServer(serverDeps, () => caller),
    status: () => ({
      state: http.closed ? 'closed' : 'running',
      protocolVersion: LATEST_PROTOCOL_VERSION,
      transports: [
        { kind: 'streamable-http', path: '/mcp', sessions: http.size },
        { kind: 'stdio', command: 'twisterlab mcp' },
        { kind: 'json-dispatch', path: '/api/v1/mcp/{capability}' },
      ],
      tools: tools.size,
      resources: resourceTemplates.map((t) => t.uriTemplate),
    }),
  };
}
