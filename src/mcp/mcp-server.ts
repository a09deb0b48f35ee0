// One MCP server (the SDK's low-level Server) per connection: tools and resources answered for the caller the
// transport identified — the API key of each HTTP request, or the configured identity on stdio.
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { ROLES, type Caller, type Role } from '../core/access.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { getPrompt, prompts } from './mcp-prompts.ts';
import { listResources, readResource, resourceTemplates, type McpResourceDeps } from './mcp-resources.ts';
import type { McpTools } from './mcp-tools.ts';

export interface McpServerDeps {
  tools: Pick<McpTools, 'list' | 'call'>;
  resources: McpResourceDeps;
  version: string;
  /** Where failures hidden from clients are logged, under the id they are told. */
  logger?: Logger;
}

const INSTRUCTIONS =
  'TwisterLab resolves technical support tickets. Submit one with ticket.submit and follow it with ticket.show; ' +
  'capability tools (agent.verb) act directly and are audited. Destructive capabilities are refused outside a ticket.';

/** How the HTTP transport hands a request's identity to the server (`req.auth`, read back as `extra.authInfo`). */
export function authInfoFor(caller: Caller): AuthInfo {
  return { token: '', clientId: caller.name, scopes: [caller.role], extra: { role: caller.role } };
}

export function callerFromAuthInfo(info: AuthInfo | undefined): Caller {
  const role = info?.extra?.role;
  if (!info || typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new Error('MCP request reached the server without an identity');
  }
  return { name: info.clientId, role: role as Role };
}

export function createMcpServer(deps: McpServerDeps, callerOf: (authInfo: AuthInfo | undefined) => Caller): Server {
  const server = new Server(
    { name: 'twisterlab', title: 'TwisterLab', version: deps.version },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { listChanged: false },
        prompts: { listChanged: false },
      },
      instructions: INSTRUCTIONS,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: deps.tools.list() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    // Progress only for a client that asked for it with a token (the MCP rule); the request's signal ends a wait it gave up on.
    const token = request.params._meta?.progressToken;
    const progress =
      token === undefined
        ? undefined
        : (step: number, message: string) =>
            extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: step, message },
            });
    return deps.tools.call(callerOf(extra.authInfo), request.params.name, request.params.arguments, {
      signal: extra.signal,
      ...(progress ? { progress } : {}),
    });
  });
  const logger = deps.logger ?? silentLogger;
  server.setRequestHandler(ListResourcesRequestSchema, async () =>
    hidingInternals(logger, async () => ({ resources: await listResources(deps.resources) })),
  );
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) =>
    hidingInternals(logger, () => readResource(deps.resources, request.params.uri)),
  );
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) =>
    hidingInternals(logger, () => getPrompt(deps.resources.store, request.params.name, request.params.arguments)),
  );
  return server;
}

/** The SDK answers a thrown error with its message; one of ours (the store failing) is logged and named by an id instead. */
async function hidingInternals<T>(logger: Logger, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof McpError) throw error;
    const requestId = randomUUID();
    logger.error({ err: error, requestId }, 'MCP request failed');
    throw new McpError(ErrorCode.InternalError, `internal error (request id ${requestId})`, { requestId });
  }
}
