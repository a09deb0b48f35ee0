// A person taking over a ticket (assign, comment, read the comments, resolve with a note, run it again) and the
// requester's answer (confirm, reopen): one definition each, offered by REST and MCP. The services check who may.
import { z } from 'zod';
import type { TicketFeedback } from '../ticket-feedback.ts';
import type { TicketHandoff } from '../ticket-handoff.ts';
import { TICKET_LIMITS } from '../ticket.ts';
import { text } from '../text-guard.ts';
import { defineOperation } from './operation.ts';
import { commentSchema, ticketId, ticketSchema } from './ticket-schemas.ts';

export const words = (max: number) => text().trim().min(1, 'must not be empty').max(max);

export const assignTicketOperation = defineOperation({
  name: 'ticket.assign',
  title: 'Assign a ticket',
  description: 'Hand a ticket to a person (null: to nobody)',
  role: 'operator',
  input: z.strictObject({
    ticketId,
    assignee: words(TICKET_LIMITS.assignee).nullable().describe('A person, or null for nobody'),
  }),
  output: ticketSchema,
  run: (handoff: TicketHandoff, caller, { ticketId: id, assignee }) => handoff.assign(id, caller, assignee),
});

export const commentTicketOperation = defineOperation({
  name: 'ticket.comment',
  title: 'Comment on a ticket',
  description: 'Add a comment; the requester or an operator may',
  role: 'viewer',
  input: z.strictObject({ ticketId, body: words(TICKET_LIMITS.comment) }),
  output: commentSchema,
  run: (handoff: TicketHandoff, caller, { ticketId: id, body }, context) =>
    handoff.comment(id, caller, body, context.source),
});

export const ticketCommentsOperation = defineOperation({
  name: 'ticket.comments',
  title: 'Read the comments',
  description: 'The comments on a ticket, oldest first',
  role: 'viewer',
  input: z.strictObject({ ticketId }),
  output: z.object({ items: z.array(commentSchema) }),
  run: async (handoff: TicketHandoff, _caller, { ticketId: id }) => ({ items: await handoff.comments(id) }),
});

export const resolveTicketOperation = defineOperation({
  name: 'ticket.resolve',
  title: 'Resolve a ticket',
  description: 'A person resolves the ticket with a note (a human resolution); not while it is being worked on',
  role: 'operator',
  input: z.strictObject({ ticketId, note: words(2000).describe('What was done, in plain words') }),
  output: ticketSchema,
  run: (handoff: TicketHandoff, caller, { ticketId: id, note }) => handoff.resolve(id, caller, note),
});

export const rerunTicketOperation = defineOperation({
  name: 'ticket.rerun',
  title: 'Run a ticket again',
  description: 'Send an escalated, no-fault-found or resolved ticket through analysis, diagnosis and fix again',
  role: 'operator',
  input: z.strictObject({
    ticketId,
    reason: words(2000).describe('What changed since, e.g. the configuration a person fixed'),
  }),
  output: ticketSchema,
  run: (handoff: TicketHandoff, caller, { ticketId: id, reason }) => handoff.rerun(id, caller, reason),
});

export const confirmTicketOperation = defineOperation({
  name: 'ticket.confirm',
  title: 'Confirm no fault',
  description: 'The requester confirms that all is well on a ticket where diagnosis found no fault: it is resolved',
  role: 'viewer',
  input: z.strictObject({ ticketId, note: text().trim().max(2000).optional() }),
  output: ticketSchema,
  run: (feedback: TicketFeedback, caller, { ticketId: id, note }) => feedback.confirm(id, caller, note),
});

export const reopenTicketOperation = defineOperation({
  name: 'ticket.reopen',
  title: 'Reopen a ticket',
  description: 'The fault is still there: a resolved or no-fault-found ticket goes to a human with everything found',
  role: 'viewer',
  input: z.strictObject({
    ticketId,
    reason: words(2000),
    assignee: words(TICKET_LIMITS.assignee).optional().describe('Hand it to this person on the way (operator)'),
  }),
  output: ticketSchema,
  run: (feedback: TicketFeedback, caller, { ticketId: id, reason, assignee }) =>
    feedback.reopen(id, caller, reason, assignee !== undefined ? { assignee } : {}),
});
