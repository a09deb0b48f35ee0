// GET /api/v1/audit: who did what, newest first — every ticket transition, step and direct capability call.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { auditSchema } from '../../core/operations/ticket-schemas.ts';

export function auditRoutes(deps: { store: TicketRepository }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/audit',
      {
        schema: {
          operationId: 'listAudit',
          tags: ['audit'],
          summary: 'The audit trail, newest first; `ticketId=none` selects rows not tied to a ticket',
          querystring: z.strictObject({
            ticketId: z.union([z.uuid(), z.literal('none')]).optional(),
            actor: z.string().min(1).max(200).optional(),
            action: z.string().min(1).max(200).optional(),
            beforeId: z.coerce.number().int().positive().optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: {
            200: z
              .object({
                items: z.array(auditSchema),
                nextBeforeId: z.number().nullable().describe('Pass as beforeId for the next page'),
              })
              .describe('One page of the trail'),
          },
        },
      },
      async (request) => {
        const { ticketId, ...rest } = request.query;
        const items = await deps.store.listAudit({
          ...rest,
          ...(ticketId ? { ticketId: ticketId === 'none' ? null : ticketId } : {}),
        });
        return { items, nextBeforeId: items.length === rest.limit ? items.at(-1)!.id : null };
      },
    );
  };
}
