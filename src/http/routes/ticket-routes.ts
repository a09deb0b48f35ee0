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
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { errorResponse, listTicketsQuery, ticketDetailSchema, submitTicketBody, ticketIdParams, ticketSchema } from '../schemas.ts';
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
}

export function ticketRoutes(deps: TicketRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/api/v1/tickets', {
      schema: {
        summary: 'Submit a ticket; it is processed asynchronously',
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: submitTicketBody,
        response: { 200: z.object({ ticket: ticketSchema }), 202: z.object({ ticket: ticketSchema }), 409: errorResponse },
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
        summary: 'List tickets, newest first',
        querystring: listTicketsQuery,
        response: { 200: z.object({ items: z.array(ticketSchema), total: z.number(), limit: z.number(), offset: z.number() }) },
      },
    }, async (request) => {
      const { items, total } = await deps.store.list(request.query);
      return { items, total, limit: request.query.limit, offset: request.query.offset };
    });

    app.get('/api/v1/tickets/:id', {
      schema: { summary: 'A ticket with its analysis, plan, steps and audit trail', params: ticketIdParams, response: { 200: ticketDetailSchema, 404: errorResponse } },
    }, async (request) => {
      const detail = await deps.store.getDetail(request.params.id);
      if (!detail) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${request.params.id}`);
      return detail;
    });

    // The requester (or an operator) answers: the service checks who, so a viewer may answer for their own ticket.
    app.post('/api/v1/tickets/:id/confirm', {
      config: { rolesCheckedByHandler: true },
      schema: {
        summary: 'Confirm that all is well on a ticket where no fault was found: it is resolved',
        params: ticketIdParams,
        body: z.strictObject({ note: z.string().trim().max(2000).optional() }).default({}),
        response: { 200: z.object({ ticket: ticketSchema }), 403: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    }, async (request) => ({ ticket: await feedbackOf(deps).confirm(request.params.id, request.identity, request.body.note) }));

    app.post('/api/v1/tickets/:id/reopen', {
      config: { rolesCheckedByHandler: true },
      schema: {
        summary: 'The fault is still there: a resolved or no-fault-found ticket goes to a human with everything found',
        params: ticketIdParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(2000), assignee: z.string().trim().min(1).max(TICKET_LIMITS.assignee).optional() }),
        response: { 200: z.object({ ticket: ticketSchema }), 403: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    }, async (request) => {
      const { reason, assignee } = request.body;
      return { ticket: await feedbackOf(deps).reopen(request.params.id, request.identity, reason, assignee !== undefined ? { assignee } : {}) };
    });

    registerHandoffRoutes(app as unknown as FastifyInstance, deps.handoff);
    registerAlertmanagerIntake(app as unknown as FastifyInstance, { ...deps, ...(deps.alerts ?? {}) });

    app.get('/api/v1/tickets/:id/events', {
      schema: { summary: 'Server-sent events as the ticket moves (status, analysis, plan, step); ends at a final state', params: ticketIdParams },
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
