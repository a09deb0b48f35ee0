// Submit, list and show tickets: one definition each, offered by REST (/api/v1/tickets) and MCP (ticket.*).
import { z } from 'zod';
import { TwisterError } from '../errors.ts';
import { submitTicket, type IntakeDeps } from '../ticket-intake.ts';
import type { TicketRepository } from '../ticket-repository.ts';
import { defineOperation } from './operation.ts';
import { listTicketsQuery, submitTicketBody, ticketDetailSchema, ticketId, ticketSchema } from './ticket-schemas.ts';

export interface TicketOperationDeps extends IntakeDeps {
  store: TicketRepository;
}

export const submitTicketOperation = defineOperation({
  name: 'ticket.submit',
  title: 'Submit a support ticket',
  description:
    'Submit a ticket; TwisterLab analyses, plans, runs, verifies and resolves or escalates it. Follow it with ticket.show, or pass wait to answer once it settles.',
  role: 'operator',
  input: submitTicketBody,
  output: z.object({
    ticket: ticketSchema,
    created: z
      .boolean()
      .describe('False when an earlier ticket with the same idempotency key or open external id is returned'),
  }),
  run: async (deps: TicketOperationDeps, caller, input, context) => {
    const { ticket, created } = await submitTicket(deps, withoutUndefined(input), {
      requester: caller.name,
      source: context.source,
      ...(context.idempotencyKey !== undefined ? { idempotencyKey: context.idempotencyKey } : {}),
    });
    return { ticket, created };
  },
});

export const listTicketsOperation = defineOperation({
  name: 'ticket.list',
  title: 'List tickets',
  description: 'Tickets, newest first, filtered by status, category, priority, source, external id, assignee or label',
  role: 'viewer',
  input: listTicketsQuery,
  output: z.object({ items: z.array(ticketSchema), total: z.number(), limit: z.number(), offset: z.number() }),
  run: async (deps: TicketOperationDeps, _caller, filter) => {
    const { items, total } = await deps.store.list(withoutUndefined(filter));
    return { items, total, limit: filter.limit, offset: filter.offset };
  },
});

export const showTicketOperation = defineOperation({
  name: 'ticket.show',
  title: 'Show a ticket',
  description: 'A ticket with its analysis, plans (executions), steps and audit trail',
  role: 'viewer',
  input: z.strictObject({ ticketId }),
  output: ticketDetailSchema,
  run: async (deps: TicketOperationDeps, _caller, { ticketId: id }) => {
    const detail = await deps.store.getDetail(id);
    if (!detail) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${id}`);
    return detail;
  },
});

/** Optional fields the schema left undefined are dropped (exactOptionalPropertyTypes). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
