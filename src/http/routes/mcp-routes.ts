// The MCP endpoint (Streamable HTTP) at /mcp: POST for requests, GET for the server's event stream, DELETE to
// end a session. Authenticated by the same API keys as REST; roles are checked per tool, not per HTTP method.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../../config.ts';
import { TwisterError } from '../../core/errors.ts';
import type { McpHttpSessions } from '../../mcp/http-sessions.ts';

export interface McpRouteDeps {
  mcp: McpHttpSessions;
  /** Without keys every caller is the local admin: then only loopback Host names are served (DNS rebinding). */
  keysConfigured: boolean;
}

export function mcpRoutes(deps: McpRouteDeps): FastifyPluginAsyncZod {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!deps.keysConfigured && !isLoopbackHost(request.hostname.replace(/^\[|\]$/g, ''))) {
      throw new TwisterError('FORBIDDEN', `Host ${request.hostname} is not a loopback name; configure API keys to serve MCP beyond this machine`);
    }
    reply.hijack();
    await deps.mcp.handle(request.raw, reply.raw, request.body, request.identity);
  };
  return async (app) => {
    const options = { schema: { hide: true }, config: { rolesCheckedByHandler: true } };
    app.post('/mcp', options, handle);
    app.get('/mcp', options, handle);
    app.delete('/mcp', options, handle);
  };
}
