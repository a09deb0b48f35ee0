// A ticket's notifications and how their delivery stands (pending with the next attempt and the last error,
// delivered, or failed for good). Message bodies are not returned: they are made when sent.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import { DELIVERY_STATUSES, type NotificationOutbox } from '../../core/notifications/outbox.ts';
import { NOTIFICATION_EVENTS } from '../../core/notifications/notification-events.ts';
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { errorResponses } from '../openapi.ts';

export interface NotificationRouteDeps {
  store: TicketRepository;
  outbox: Pick<NotificationOutbox, 'listForTicket'>;
}

const deliverySchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    event: z.enum(NOTIFICATION_EVENTS),
    deliveryId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({
    id: 'NotificationDelivery',
    description: 'One notification of a ticket to one channel, and how its delivery stands',
  });

export function notificationRoutes(deps: NotificationRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/tickets/:id/notifications',
      {
        schema: {
          operationId: 'listTicketNotifications',
          tags: ['tickets'],
          summary: "A ticket's notifications per channel, with their delivery status",
          params: z.strictObject({ id: z.uuid() }),
          response: {
            200: z.object({ items: z.array(deliverySchema) }).describe('The deliveries, per channel and event'),
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await deps.store.get(id)))
          throw new TwisterError('TICKET_NOT_FOUND', `no ticket has id ${id}`, { ticketId: id });
        const rows = await deps.outbox.listForTicket(id);
        return {
          items: rows.map((r) => ({
            id: r.id,
            channel: r.channel,
            event: r.event,
            deliveryId: r.idempotencyKey,
            status: r.status,
            attempts: r.attempts,
            nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt : null,
            lastError: r.lastError,
            deliveredAt: r.deliveredAt,
            createdAt: r.createdAt,
          })),
        };
      },
    );
  };
}
