// GET /api/v1/overview: how tickets ended (by status and outcome), approvals waiting and time to resolution,
// read from the store for the console's overview page.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OverviewSource } from '../../core/overview.ts';

const overviewSchema = z
  .object({
    tickets: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()),
    byOutcome: z.record(z.string(), z.number().int()),
    approvalsPending: z.number().int(),
    resolution: z.object({ count: z.number().int(), medianMs: z.number().nullable(), p90Ms: z.number().nullable() }),
  })
  .meta({ id: 'Overview', description: 'How tickets ended, approvals waiting, time to resolution' });

export function overviewRoutes(deps: { overview: OverviewSource }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/overview',
      {
        schema: {
          operationId: 'getOverview',
          tags: ['tickets'],
          summary: 'Tickets by status and outcome, approvals waiting, time from creation to resolution',
          response: { 200: overviewSchema.describe('The overview') },
        },
      },
      async () => deps.overview.overview(),
    );
  };
}
