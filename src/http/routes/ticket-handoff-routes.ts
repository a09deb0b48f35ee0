// A human takes over a ticket: assign, comment (and read the comments), resolve with a note, run it again. The
// operations of core/operations (MCP offers them too) at their REST addresses; TicketHandoff checks who may.
import type { FastifyInstance } from 'fastify';
import { TwisterError } from '../../core/errors.ts';
import {
  assignTicketOperation,
  commentTicketOperation,
  rerunTicketOperation,
  resolveTicketOperation,
  ticketCommentsOperation,
} from '../../core/operations/handoff-operations.ts';
import type { TicketHandoff } from '../../core/ticket-handoff.ts';
import { registerOperationRoute } from './operation-route.ts';

export function registerHandoffRoutes(app: FastifyInstance, handoff: TicketHandoff | undefined): void {
  const service = (): TicketHandoff => {
    if (!handoff) throw new TwisterError('INTERNAL', 'ticket handoff is not configured');
    return handoff;
  };
  const onTicket = { idField: 'ticketId', tag: 'tickets' } as const;
  registerOperationRoute(
    app,
    assignTicketOperation,
    {
      ...onTicket,
      method: 'POST',
      url: '/api/v1/tickets/:id/assign',
      operationId: 'assignTicket',
      summary: 'Hand the ticket to a person (operator); null hands it back to nobody',
      wrapIn: 'ticket',
      answer: 'The ticket as changed',
      errors: [403, 404, 409],
    },
    service,
  );
  registerOperationRoute(
    app,
    commentTicketOperation,
    {
      ...onTicket,
      method: 'POST',
      url: '/api/v1/tickets/:id/comments',
      operationId: 'addTicketComment',
      summary: 'Add a comment (the requester or an operator)',
      wrapIn: 'comment',
      status: 201,
      answer: 'The comment, stored',
      errors: [403, 404],
    },
    service,
  );
  registerOperationRoute(
    app,
    ticketCommentsOperation,
    {
      ...onTicket,
      method: 'GET',
      url: '/api/v1/tickets/:id/comments',
      operationId: 'listTicketComments',
      summary: 'The comments on a ticket, oldest first',
      answer: 'The comments',
      errors: [404],
    },
    service,
  );
  registerOperationRoute(
    app,
    resolveTicketOperation,
    {
      ...onTicket,
      method: 'POST',
      url: '/api/v1/tickets/:id/resolve',
      operationId: 'resolveTicket',
      summary:
        'A person resolves the ticket with a note (counted as a human resolution); not while it is being worked on',
      wrapIn: 'ticket',
      answer: 'The ticket as changed',
      errors: [403, 404, 409],
    },
    service,
  );
  registerOperationRoute(
    app,
    rerunTicketOperation,
    {
      ...onTicket,
      method: 'POST',
      url: '/api/v1/tickets/:id/rerun',
      operationId: 'rerunTicket',
      summary:
        'Run an escalated, no-fault-found or resolved ticket through the loop again (e.g. after a person fixed the configuration)',
      wrapIn: 'ticket',
      status: 202,
      answer: 'The ticket, queued again',
      errors: [403, 404, 409],
    },
    service,
  );
}
