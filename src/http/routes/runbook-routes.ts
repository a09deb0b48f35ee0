// The runbook catalogue over REST: list, show, and a dry run of one runbook (the plan it would make for a
// description and context, with parameters filled and a policy decision per step; nothing is stored or run).
// List and dry run are the operations of core/operations, which MCP offers too.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dryRunRunbookOperation, listRunbooksOperation, runbookId } from '../../core/operations/runbook-operations.ts';
import type { RunbookCatalogue } from '../../core/runbooks/runbook-catalogue.ts';
import { runbookSummarySchema as summarySchema } from '../../core/runbooks/runbook-view.ts';
import { errorResponses } from '../openapi.ts';
import { registerOperationRoute } from './operation-route.ts';

export interface RunbookRouteDeps {
  catalogue: RunbookCatalogue;
}

const json = z.record(z.string(), z.unknown());

export function runbookRoutes(deps: RunbookRouteDeps): FastifyPluginAsyncZod {
  const { catalogue } = deps;
  const service = () => catalogue;
  return async (rawApp) => {
    const app = rawApp as unknown as FastifyInstance;
    registerOperationRoute(
      app,
      listRunbooksOperation,
      {
        method: 'GET',
        url: '/api/v1/runbooks',
        operationId: 'listRunbooks',
        tag: 'runbooks',
        summary: 'The runbook catalogue (built-in and from TWISTERLAB_RUNBOOKS_DIR), optionally for one category',
        answer: 'The runbooks',
        errors: [],
      },
      service,
    );

    rawApp.get(
      '/api/v1/runbooks/:id',
      {
        schema: {
          operationId: 'getRunbook',
          tags: ['runbooks'],
          summary: 'One runbook as data: parameters, steps with their risk, verification and rollback',
          params: z.strictObject({ id: runbookId }),
          response: {
            200: z.object({ summary: summarySchema, runbook: json }).describe('The runbook'),
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const runbook = catalogue.get(request.params.id);
        return { summary: catalogue.summary(runbook), runbook: runbook as unknown as Record<string, unknown> };
      },
    );

    registerOperationRoute(
      app,
      dryRunRunbookOperation,
      {
        method: 'POST',
        url: '/api/v1/runbooks/:id/dry-run',
        idField: 'runbookId',
        operationId: 'dryRunRunbook',
        tag: 'runbooks',
        summary:
          'The plan this runbook would make: parameters filled, a policy decision per step, what would be backed up. Runs nothing.',
        answer: 'The plan, or why it cannot be made',
        errors: [404],
      },
      service,
    );
  };
}
