// The capability surfaces: the agent catalogue, JSON dispatch of one capability (`/api/v1/mcp/:capability`),
// and `POST /orchestrate`, the whole loop in one call. All go through the registry, roles and risk checks.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CapabilityGateway } from '../../core/capability-gateway.ts';
import { errorCatalogue, type ErrorInfo } from '../../core/errors.ts';
import { isServerError, toPublicError, type PublicError } from '../../core/public-error.ts';
import type { CapabilityRegistry, InvocationResult } from '../../core/registry.ts';
import { retryAfterOf } from '../plugins/error-handler.ts';
import { errorResponses } from '../openapi.ts';
import { errorResponse } from '../schemas.ts';

export interface CapabilityRouteDeps {
  registry: CapabilityRegistry;
  gateway: CapabilityGateway;
  mcpStatus: () => Record<string, unknown>;
}

const json = z.record(z.string(), z.unknown());
const dispatchResult = z
  .object({
    ok: z.boolean(),
    capability: z.string(),
    output: z.unknown().optional(),
    durationMs: z.number(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        retryable: z.boolean().optional(),
        details: z.record(z.string(), z.unknown()).optional(),
        requestId: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'DispatchResult', description: 'The outcome of one capability call, its output or its error' });

/** Role, risk, the call and its audit row: the gateway, shared with MCP so the two cannot drift. */
function dispatch(
  deps: CapabilityRouteDeps,
  request: FastifyRequest,
  id: string,
  input: unknown,
  idempotencyKey?: string,
): Promise<InvocationResult> {
  return deps.gateway.call(request.identity, id, input, 'rest', idempotencyKey !== undefined ? { idempotencyKey } : {});
}

/** A failed call as the caller sees it; a server-side failure is logged in full under the request id it names. */
function publicFailure(request: FastifyRequest, id: string, error: ErrorInfo): PublicError {
  if (isServerError(error.code))
    request.log.error({ capability: id, error, requestId: request.id }, 'capability call failed');
  return toPublicError(error, request.id);
}

/** The HTTP status of a result; a passing refusal (backlog full, shutting down, store down) also tells when to try again. */
function statusOf(result: InvocationResult, reply: FastifyReply): number {
  if (result.ok) return 200;
  const status = errorCatalogue[result.error.code].httpStatus;
  const retryAfter = retryAfterOf(status, result.error.code, result.error.details);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return status;
}

export function capabilityRoutes(deps: CapabilityRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/agents',
      {
        schema: {
          operationId: 'listAgents',
          tags: ['capabilities'],
          summary: 'Agents and their capabilities, with input and output JSON schemas',
          response: { 200: z.object({ agents: z.array(json) }).describe('The agent catalogue') },
        },
      },
      async () => ({
        agents: deps.registry.listAgents(),
      }),
    );

    app.get(
      '/api/v1/mcp/status',
      {
        schema: {
          operationId: 'getMcpStatus',
          tags: ['capabilities'],
          summary: 'State of the MCP surface and the tools it exposes',
          response: {
            200: json.describe(
              'State, protocol version, transports (with open sessions), tool count, resource templates',
            ),
          },
        },
      },
      async () => deps.mcpStatus(),
    );

    app.post(
      '/api/v1/mcp/:capability',
      {
        schema: {
          operationId: 'callCapability',
          tags: ['capabilities'],
          summary: 'Call one capability with a JSON body (its input schema is in GET /api/v1/agents)',
          params: z.object({ capability: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be <agent>.<verb>') }),
          body: z.unknown(),
          // Every status carries the same envelope; the HTTP status follows the error code.
          response: {
            '2xx': dispatchResult.describe('The call succeeded: its output'),
            '4xx': dispatchResult
              .or(errorResponse)
              .describe('Refused: the role, the input, the allow-list, or an unknown capability'),
            '5xx': dispatchResult.or(errorResponse).describe('The call failed on the server or behind it'),
          },
        },
      },
      async (request, reply) => {
        const id = request.params.capability;
        const result = await dispatch(deps, request, id, request.body ?? {});
        const body = result.ok
          ? { ok: true, capability: id, output: result.output, durationMs: result.durationMs }
          : {
              ok: false,
              capability: id,
              error: publicFailure(request, id, result.error),
              durationMs: result.durationMs,
            };
        return reply.status(statusOf(result, reply)).send(body);
      },
    );

    app.post(
      '/orchestrate',
      {
        schema: {
          operationId: 'orchestrate',
          tags: ['capabilities'],
          summary:
            'Run the whole loop on a task and answer when it is done (maestro.orchestrate); Idempotency-Key replays the first answer',
          headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
          body: z
            .unknown()
            .describe('`{ task, context?, dry_run?, idempotency_key? }`: the input of maestro.orchestrate'),
          response: {
            200: json.describe('The ticket and how it ended: the output of maestro.orchestrate'),
            ...errorResponses(409, 422, 502, 503, 504),
          },
        },
      },
      async (request, reply) => {
        const result = await dispatch(
          deps,
          request,
          'maestro.orchestrate',
          request.body ?? {},
          request.headers['idempotency-key'],
        );
        // Any status of the catalogue, with the error envelope (the typed reply knows only the documented ones).
        if (!result.ok)
          return (reply as FastifyReply)
            .status(statusOf(result, reply))
            .send({ error: publicFailure(request, 'maestro.orchestrate', result.error) });
        if ((result.output as { replayed?: boolean }).replayed) reply.header('idempotent-replayed', 'true');
        return result.output as Record<string, unknown>;
      },
    );
  };
}
