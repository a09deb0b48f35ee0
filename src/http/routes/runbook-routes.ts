// The runbook catalogue over REST: list, show, and a dry run of one runbook (the plan it would make for a
// description and context, with parameters filled and a policy decision per step; nothing is stored or run).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunbookCatalogue } from '../../core/runbooks/runbook-catalogue.ts';
import { runbookSummarySchema as summarySchema } from '../../core/runbooks/runbook-view.ts';
import { errorResponses } from '../openapi.ts';
import { ticketContext } from '../../core/operations/ticket-schemas.ts';

export interface RunbookRouteDeps {
  catalogue: RunbookCatalogue;
}

const idParams = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a runbook id is lower case letters, digits, "-" and "_"') });
const json = z.record(z.string(), z.unknown());

export function runbookRoutes(deps: RunbookRouteDeps): FastifyPluginAsyncZod {
  const { catalogue } = deps;
  return async (app) => {
    app.get('/api/v1/runbooks', {
      schema: {
        operationId: 'listRunbooks', tags: ['runbooks'],
        summary: 'The runbook catalogue (built-in and from TWISTERLAB_RUNBOOKS_DIR), optionally for one category',
        querystring: z.strictObject({ category: z.string().min(1).max(40).optional() }),
        response: { 200: z.object({ items: z.array(summarySchema) }).describe('The runbooks') },
      },
    }, async (request) => ({ items: catalogue.list(request.query.category) }));

    app.get('/api/v1/runbooks/:id', {
      schema: {
        operationId: 'getRunbook', tags: ['runbooks'],
        summary: 'One runbook as data: parameters, steps with their risk, verification and rollback',
        params: idParams,
        response: { 200: z.object({ summary: summarySchema, runbook: json }).describe('The runbook'), ...errorResponses(404) },
      },
    }, async (request) => {
      const runbook = catalogue.get(request.params.id);
      return { summary: catalogue.summary(runbook), runbook: runbook as unknown as Record<string, unknown> };
    });

    app.post('/api/v1/runbooks/:id/dry-run', {
      schema: {
        operationId: 'dryRunRunbook', tags: ['runbooks'],
        summary: 'The plan this runbook would make: parameters filled, a policy decision per step, what would be backed up. Runs nothing.',
        params: idParams,
        body: z.strictObject({
          description: z.string().trim().min(1).max(20_000).optional(),
          context: ticketContext.optional(),
          params: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
        }),
        response: { 200: z.object({ runbookId: z.string(), plannable: z.boolean(), reason: z.string().nullable(), analysis: json, plan: json }).describe('The plan, or why it cannot be made'), ...errorResponses(404) },
      },
    }, async (request) => {
      const result = await catalogue.dryRun(request.params.id, request.body);
      return { ...result, analysis: result.analysis as unknown as Record<string, unknown>, plan: result.plan as unknown as Record<string, unknown> };
    });
  };
}
