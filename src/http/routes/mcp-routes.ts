// The MCP endpoint (Streamable HTTP) at /mcp: POST for requests, GET for the server's event stream, DELETE to
// end a session. Authenticated by the same API keys as REST; roles are checked per tool, not per HTTP method.
// Without keys, Host and Origin are checked for every route alike (plugins/host-check.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { McpHttpSessions } from '../../mcp/http-sessions.ts';

export interface McpRouteDeps {
  mcp: McpHttpSessions;
}

export function mcpRoutes(deps: McpRouteDeps): FastifyPluginAsyncZod {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await deps.mcp.handle(request.raw, reply.raw, request.body, request.identity);
  };
  return async (app) => {
    const options = { schema: { hide: true }, config: { rolesCheckedByHandler: true, textCheckedByHandler: true } };
    app.post('/mcp', options, handle);
    app.get('/mcp', options, handle);
    app.delete('/mcp', options, handle);
  };
}
