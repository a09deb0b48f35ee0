// /api/v1/tickets: submit (async, idempotent), list, show with its executions, steps and audit, and follow
// a ticket's progress as server-sent events.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import { TICKET_LIMITS } from '../../core/ticket.ts';
import type { TicketEventBus } from '../../core/events.ts';
import { submitTicket, type IntakeDeps } from '../../core/ticket-intake.ts';
import type { TicketFeedback } from '../../core/ticket-feedback.ts';
import type { TicketHandoff } from '../../core/ticket-handoff.ts';
import { registerHandoffRoutes } from './ticket-handoff-routes.ts';
import type { AlertMapping } from '../../core/intake/alertmanager.ts';
import { registerAlertmanagerIntake } from './intake-alertmanager.ts';
import type { WebhookSources } from '../../core/intake/webhook.ts';
import { registerWebhookIntake } from './intake-webhook.ts';
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { errorResponses } from '../openapi.ts';
import { listTicketsQuery, ticketDetailSchema, submitTicketBody, ticketIdParams, ticketSchema } from '../schemas.ts';
import { streamTicketEvents } from './ticket-events-stream.ts';

export interface TicketRouteDeps extends IntakeDeps {
  store: TicketRepository;
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

export function ticketRoutes(deps: TicketRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/tickets', {
      schema: {
        operationId: 'submitTicket', tags: ['tickets'],
        summary: 'Submit a ticket; it is processed asynchronously',
        headers: z.object({ 'idempotency-key': z.string().max(200).optional().describe('A retry with the same key and body returns the first ticket (200)') }),
        body: submitTicketBody,
        response: {
          200: z.object({ ticket: ticketSchema }).describe('Replayed: the ticket first submitted with this Idempotency-Key'),
          202: z.object({ ticket: ticketSchema }).describe('Accepted: the ticket is stored and queued'),
          ...errorResponses(409, 503),
        },
      },
    }, async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const { ticket, created } = await submitTicket(deps, withoutUndefined(request.body), {
        requester: request.identity.name, source: 'api', ...(key !== undefined ? { idempotencyKey: key } : {}),
      });
      if (!created) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/api/v1/tickets/${ticket.id}`);
      return reply.status(created ? 202 : 200).send({ ticket });
    });

    app.get('/api/v1/tickets', {
      schema: {
        operationId: 'listTickets', tags: ['tickets'],
        summary: 'List tickets, newest first',
        querystring: listTicketsQuery,
        response: { 200: z.object({ items: z.array(ticketSchema), total: z.number(), limit: z.number(), offset: z.number() }).describe('One page of tickets and the total') },
      },
    }, async (request) => {
      const { items, total } = await deps.store.list(request.query);
      return { items, total, limit: request.query.limit, offset: request.query.offset };
    });

    app.get('/api/v1/tickets/:id', {
      schema: {
        operationId: 'getTicket', tags: ['tickets'],
        summary: 'A ticket with its analysis, plan, steps and audit trail', params: ticketIdParams,
        response: { 200: ticketDetailSchema.describe('The ticket and everything done on it'), ...errorResponses(404) },
      },
    }, async (request) => {
      const detail = await deps.store.getDetail(request.params.id);
      if (!detail) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${request.params.id}`);
      return detail;
    });

    // The requester (or an operator) answers: the service checks who, so a viewer may answer for their own ticket.
    app.post('/api/v1/tickets/:id/confirm', {
      config: { rolesCheckedByHandler: true },
      schema: {
        operationId: 'confirmTicket', tags: ['tickets'],
        summary: 'Confirm that all is well on a ticket where no fault was found: it is resolved',
        params: ticketIdParams,
        body: z.strictObject({ note: z.string().trim().max(2000).optional() }).default({}),
        response: { 200: z.object({ ticket: ticketSchema }).describe('The resolved ticket'), ...errorResponses(403, 404, 409) },
      },
    }, async (request) => ({ ticket: await feedbackOf(deps).confirm(request.params.id, request.identity, request.body.note) }));

    app.post('/api/v1/tickets/:id/reopen', {
      config: { rolesCheckedByHandler: true },
      schema: {
        operationId: 'reopenTicket', tags: ['tickets'],
        summary: 'The fault is still there: a resolved or no-fault-found ticket goes to a human with everything found',
        params: ticketIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(2000), assignee: z.string().trim().min(1).max(TICKET_LIMITS.assignee).optional() }),
        response: { 200: z.object({ ticket: ticketSchema }).describe('The escalated ticket'), ...errorResponses(403, 404, 409) },
      },
    }, async (request) => {
      const { reason, assignee } = request.body;
      return { ticket: await feedbackOf(deps).reopen(request.params.id, request.identity, reason, assignee !== undefined ? { assignee } : {}) };
    });

    registerHandoffRoutes(app as unknown as FastifyInstance, deps.handoff);
    registerAlertmanagerIntake(app as unknown as FastifyInstance, { ...deps, ...(deps.alerts ?? {}) });
    registerWebhookIntake(app as unknown as FastifyInstance, { ...deps, ...(deps.alerts?.services ? { services: deps.alerts.services } : {}), sources: deps.webhooks ?? new Map() });

    app.get('/api/v1/tickets/:id/events', {
      schema: {
        operationId: 'streamTicketEvents', tags: ['tickets'],
        summary: 'Server-sent events as the ticket moves (status, analysis, plan, step); ends at a final state', params: ticketIdParams,
        response: {
          200: {
            description: 'A stream of `event: <snapshot|analysis|plan|step|status|done>` with JSON `data`, and keep-alive comments',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...errorResponses(404),
        },
      },
    }, async (request, reply) => {
      const ticket = await deps.store.get(request.params.id);
      if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${request.params.id}`);
      await streamTicketEvents(request, reply, deps, ticket.id);
    });
  };
}

/** Optional fields the schema left undefined are dropped (exactOptionalPropertyTypes). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function feedbackOf(deps: TicketRouteDeps): TicketFeedback {
  if (!deps.feedback) throw new TwisterError('INTERNAL', 'ticket feedback is not configured');
  return deps.feedback;
}
