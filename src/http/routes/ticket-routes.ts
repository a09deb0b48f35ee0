// /api/v1/tickets: submit (async, idempotent), list, show with its executions, steps and audit, the requester's
// answer (confirm, reopen), and follow a ticket's progress as server-sent events. Submit, list, show, confirm and
// reopen are the operations of core/operations, which MCP offers too.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import type { TicketEventBus } from '../../core/events.ts';
import { confirmTicketOperation, reopenTicketOperation } from '../../core/operations/handoff-operations.ts';
import {
  listTicketsOperation,
  showTicketOperation,
  submitTicketOperation,
  type TicketOperationDeps,
} from '../../core/operations/ticket-operations.ts';
import { ticketId, ticketSchema } from '../../core/operations/ticket-schemas.ts';
import type { TicketFeedback } from '../../core/ticket-feedback.ts';
import type { TicketHandoff } from '../../core/ticket-handoff.ts';
import { registerHandoffRoutes } from './ticket-handoff-routes.ts';
import type { AlertMapping } from '../../core/intake/alertmanager.ts';
import { registerAlertmanagerIntake } from './intake-alertmanager.ts';
import type { WebhookSources } from '../../core/intake/webhook.ts';
import { registerWebhookIntake } from './intake-webhook.ts';
import { errorResponses } from '../openapi.ts';
import { registerOperationRoute } from './operation-route.ts';
import { streamTicketEvents } from './ticket-events-stream.ts';

export interface TicketRouteDeps extends TicketOperationDeps {
  events: TicketEventBus;
  /** The requester's answer (confirm, reopen), when configured. */
  feedback?: TicketFeedback;
  /** A person taking over (assign, comment, resolve, rerun), when configured. */
  handoff?: TicketHandoff;
  /** How Alertmanager labels map to a ticket, and the declared service names a label may name. */
  alerts?: { mapping?: AlertMapping; services?: () => readonly string[] };
  /** Helpdesk webhook sources (TWISTERLAB_WEBHOOK_SOURCES_FILE); none: every source is unknown. */
  webhooks?: WebhookSources;
}

const ticketIdParams = z.strictObject({ id: ticketId });

export function ticketRoutes(deps: TicketRouteDeps): FastifyPluginAsyncZod {
  return async (rawApp) => {
    const app = rawApp as unknown as FastifyInstance;
    const tickets = () => deps;
    registerOperationRoute(
      app,
      submitTicketOperation,
      {
        method: 'POST',
        url: '/api/v1/tickets',
        operationId: 'submitTicket',
        tag: 'tickets',
        summary: 'Submit a ticket; it is processed asynchronously',
        answer: 'Accepted: the ticket is stored and queued',
        errors: [409, 503],
        headers: {
          schema: z.object({
            'idempotency-key': z
              .string()
              .max(200)
              .optional()
              .describe('A retry with the same key and body returns the first ticket (200)'),
          }),
          context: (headers) =>
            typeof headers['idempotency-key'] === 'string' ? { idempotencyKey: headers['idempotency-key'] } : {},
        },
        reply: {
          responses: {
            200: z
              .object({ ticket: ticketSchema })
              .describe('Replayed: the ticket first submitted with this Idempotency-Key'),
            202: z.object({ ticket: ticketSchema }).describe('Accepted: the ticket is stored and queued'),
          },
          send: ({ ticket, created }, reply) => {
            if (!created) reply.header('idempotent-replayed', 'true');
            reply.header('location', `/api/v1/tickets/${ticket.id}`);
            return reply.status(created ? 202 : 200).send({ ticket });
          },
        },
      },
      tickets,
    );
    registerOperationRoute(
      app,
      listTicketsOperation,
      {
        method: 'GET',
        url: '/api/v1/tickets',
        operationId: 'listTickets',
        tag: 'tickets',
        summary: 'List tickets, newest first',
        answer: 'One page of tickets and the total',
        errors: [],
      },
      tickets,
    );
    registerOperationRoute(
      app,
      showTicketOperation,
      {
        method: 'GET',
        url: '/api/v1/tickets/:id',
        idField: 'ticketId',
        operationId: 'getTicket',
        tag: 'tickets',
        summary: 'A ticket with its analysis, plan, steps and audit trail',
        answer: 'The ticket and everything done on it',
        errors: [404],
      },
      tickets,
    );

    // The requester (or an operator) answers: the service checks who, so a viewer may answer for their own ticket.
    const feedback = (): TicketFeedback => {
      if (!deps.feedback) throw new TwisterError('INTERNAL', 'ticket feedback is not configured');
      return deps.feedback;
    };
    registerOperationRoute(
      app,
      confirmTicketOperation,
      {
        method: 'POST',
        url: '/api/v1/tickets/:id/confirm',
        idField: 'ticketId',
        operationId: 'confirmTicket',
        tag: 'tickets',
        summary: 'Confirm that all is well on a ticket where no fault was found: it is resolved',
        wrapIn: 'ticket',
        answer: 'The resolved ticket',
        errors: [403, 404, 409],
      },
      feedback,
    );
    registerOperationRoute(
      app,
      reopenTicketOperation,
      {
        method: 'POST',
        url: '/api/v1/tickets/:id/reopen',
        idField: 'ticketId',
        operationId: 'reopenTicket',
        tag: 'tickets',
        summary: 'The fault is still there: a resolved or no-fault-found ticket goes to a human with everything found',
        wrapIn: 'ticket',
        answer: 'The escalated ticket',
        errors: [403, 404, 409],
      },
      feedback,
    );

    registerHandoffRoutes(app, deps.handoff);
    registerAlertmanagerIntake(app, { ...deps, ...(deps.alerts ?? {}) });
    registerWebhookIntake(app, {
      ...deps,
      ...(deps.alerts?.services ? { services: deps.alerts.services } : {}),
      sources: deps.webhooks ?? new Map(),
    });

    rawApp.get(
      '/api/v1/tickets/:id/events',
      {
        schema: {
          operationId: 'streamTicketEvents',
          tags: ['tickets'],
          summary: 'Server-sent events as the ticket moves (status, analysis, plan, step); ends at a final state',
          params: ticketIdParams,
          response: {
            200: {
              description:
                'A stream of `event: <snapshot|analysis|plan|step|status|done>` with JSON `data`, and keep-alive comments',
              content: { 'text/event-stream': { schema: z.string() } },
            },
            ...errorResponses(404),
          },
        },
      },
      async (request, reply) => {
        const ticket = await deps.store.get(request.params.id);
        if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${request.params.id}`);
        await streamTicketEvents(request, reply, deps, ticket.id);
      },
    );
  };
}
