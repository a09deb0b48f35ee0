// The capability surfaces: the agent catalogue, JSON dispatch of one capability (`/api/v1/mcp/:capability`),
// and `POST /orchestrate`, the whole loop in one call. All go through the registry, roles and risk checks.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditEntry } from '../../core/ticket-repository.ts';
import { TwisterError, errorCatalogue } from '../../core/errors.ts';
import type { CapabilityRegistry, InvocationResult } from '../../core/registry.ts';
import { requireRole } from '../plugins/auth.ts';
import { errorResponse } from '../schemas.ts';

export interface CapabilityRouteDeps {
  registry: CapabilityRegistry;
  audit: (entries: AuditEntry[]) => Promise<void>;
  mcpStatus: () => Record<string, unknown>;
}

const dispatchResult = z.object({
  ok: z.boolean(), capability: z.string(), output: z.unknown().optional(), durationMs: z.number(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** Checks role and risk, runs the capability, writes the audit row. Shared by dispatch and /orchestrate. */
async function dispatch(deps: CapabilityRouteDeps, request: FastifyRequest, id: string, input: unknown): Promise<InvocationResult> {
  if (!deps.registry.has(id)) throw new TwisterError('CAPABILITY_NOT_FOUND', `no capability named ${id}; GET /api/v1/agents lists them`);
  const risk = deps.registry.riskOf(id, input)!;
  if (risk === 'destructive') {
    throw new TwisterError('APPROVAL_REQUIRED', `${id} is destructive: submit a ticket so a human can approve the exact step`);
  }
  requireRole(request, 'operator', `calling ${id}`);
  const result = await deps.registry.invoke(id, input, { actor: request.identity.name });
  // Capability calls outside a ticket leave a row of their own; reads that succeed are counted in metrics only.
  if (risk !== 'read' || !result.ok) {
    await deps.audit([{
      ticketId: null, actor: request.identity.name, action: 'capability.invoked',
      details: { capability: id, risk, ok: result.ok, ...(result.ok ? {} : { error: result.error.code }), durationMs: Math.round(result.durationMs) },
    }]);
  }
  return result;
}

function statusOf(result: InvocationResult): number {
  if (result.ok) return 200;
  return errorCatalogue[result.error.code].httpStatus;
}

export function capabilityRoutes(deps: CapabilityRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/agents', { schema: { summary: 'Agents and their capabilities, with input and output JSON schemas' } }, async () => ({
      agents: deps.registry.listAgents(),
    }));

    app.get('/api/v1/mcp/status', { schema: { summary: 'State of the MCP surface and the tools it exposes' } }, async () => deps.mcpStatus());

    app.post('/api/v1/mcp/:capability', {
      schema: {
        summary: 'Call one capability with a JSON body (its input schema is in GET /api/v1/agents)',
        params: z.object({ capability: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be <agent>.<verb>') }),
        body: z.unknown(),
        // Every status carries the same envelope; the HTTP status follows the error code.
        response: { '2xx': dispatchResult, '4xx': dispatchResult.or(errorResponse), '5xx': dispatchResult.or(errorResponse) },
      },
    }, async (request, reply) => {
      const id = request.params.capability;
      const result = await dispatch(deps, request, id, request.body ?? {});
      const body = result.ok
        ? { ok: true, capability: id, output: result.output, durationMs: result.durationMs }
        : { ok: false, capability: id, error: result.error, durationMs: result.durationMs };
      return reply.status(statusOf(result)).send(body);
    });

    app.post('/orchestrate', {
      schema: { summary: 'Run the whole loop on a task and answer when it is done (maestro.orchestrate)', body: z.unknown() },
    }, async (request, reply) => {
      const result = await dispatch(deps, request, 'maestro.orchestrate', request.body ?? {});
      if (!result.ok) return reply.status(statusOf(result)).send({ error: result.error });
      return result.output;
    });
  };
}
