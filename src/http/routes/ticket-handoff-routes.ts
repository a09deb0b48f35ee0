// A human takes over a ticket: assign, comment (and read the comments), resolve with a note, run it again.
// Thin routes in front of TicketHandoff, which checks roles (a requester may comment on their own ticket).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TwisterError } from '../../core/errors.ts';
import type { TicketHandoff } from '../../core/ticket-handoff.ts';
import { TICKET_LIMITS } from '../../core/ticket.ts';
import { errorResponses } from '../openapi.ts';
import { commentSchema, ticketIdParams, ticketSchema } from '../schemas.ts';

const ticketReply = { 200: z.object({ ticket: ticketSchema }).describe('The ticket as changed'), ...errorResponses(403, 404, 409) };
const note = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export function registerHandoffRoutes(app: FastifyInstance, handoff: TicketHandoff | undefined): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const service = (): TicketHandoff => {
    if (!handoff) throw new TwisterError('INTERNAL', 'ticket handoff is not configured');
    return handoff;
  };

  r.post('/api/v1/tickets/:id/assign', {
    config: { rolesCheckedByHandler: true },
    schema: {
      operationId: 'assignTicket', tags: ['tickets'],
      summary: 'Hand the ticket to a person (operator); null hands it back to nobody',
      params: ticketIdParams,
      body: z.strictObject({ assignee: note(TICKET_LIMITS.assignee).nullable() }),
      response: ticketReply,
    },
  }, async (request) => ({ ticket: await service().assign(request.params.id, request.identity, request.body.assignee) }));

  r.post('/api/v1/tickets/:id/comments', {
    config: { rolesCheckedByHandler: true },
    schema: {
      operationId: 'addTicketComment', tags: ['tickets'],
      summary: 'Add a comment (the requester or an operator)',
      params: ticketIdParams,
      body: z.strictObject({ body: note(TICKET_LIMITS.comment) }),
      response: { 201: z.object({ comment: commentSchema }).describe('The comment, stored'), ...errorResponses(403, 404) },
    },
  }, async (request, reply) => reply.status(201).send({ comment: await service().comment(request.params.id, request.identity, request.body.body, 'api') }));

  r.get('/api/v1/tickets/:id/comments', {
    schema: {
      operationId: 'listTicketComments', tags: ['tickets'], summary: 'The comments on a ticket, oldest first', params: ticketIdParams,
      response: { 200: z.object({ items: z.array(commentSchema) }).describe('The comments'), ...errorResponses(404) },
    },
  }, async (request) => ({ items: await service().comments(request.params.id) }));

  r.post('/api/v1/tickets/:id/resolve', {
    config: { rolesCheckedByHandler: true },
    schema: {
      operationId: 'resolveTicket', tags: ['tickets'],
      summary: 'A person resolves the ticket with a note (counted as a human resolution); not while it is being worked on',
      params: ticketIdParams,
      body: z.strictObject({ note: note(2000) }),
      response: ticketReply,
    },
  }, async (request) => ({ ticket: await service().resolve(request.params.id, request.identity, request.body.note) }));

  r.post('/api/v1/tickets/:id/rerun', {
    config: { rolesCheckedByHandler: true },
    schema: {
      operationId: 'rerunTicket', tags: ['tickets'],
      summary: 'Run an escalated, no-fault-found or resolved ticket through the loop again (e.g. after a person fixed the configuration)',
      params: ticketIdParams,
      body: z.strictObject({ reason: note(2000) }),
      response: { 202: z.object({ ticket: ticketSchema }).describe('The ticket, queued again'), ...errorResponses(403, 404, 409) },
    },
  }, async (request, reply) => reply.status(202).send({ ticket: await service().rerun(request.params.id, request.identity, request.body.reason) }));
}
