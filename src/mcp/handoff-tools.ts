// A person taking over a ticket over MCP: assign, comment, read comments, resolve with a note, run again.
// The same TicketHandoff as REST and the CLI, which checks roles itself (a requester may comment on their ticket).
import { z } from 'zod';
import type { TicketHandoff } from '../core/ticket-handoff.ts';
import { TICKET_LIMITS } from '../core/ticket.ts';
import { text } from '../core/text-guard.ts';
import { parseOrThrow } from '../core/validation.ts';
import { ticketOutput } from './ticket-tools.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

const words = (max: number) => text().trim().min(1).max(max);
const assignInput = z.strictObject({ ticket_id: z.uuid(), assignee: words(TICKET_LIMITS.assignee).nullable().describe('A person, or null for nobody') });
const commentInput = z.strictObject({ ticket_id: z.uuid(), body: words(TICKET_LIMITS.comment) });
const commentsInput = z.strictObject({ ticket_id: z.uuid() });
const resolveInput = z.strictObject({ ticket_id: z.uuid(), note: words(2000).describe('What was done, in plain words') });
const rerunInput = z.strictObject({ ticket_id: z.uuid(), reason: words(2000).describe('What changed since, e.g. the configuration a person fixed') });
const comment = z.object({
  id: z.number(), ticketId: z.string(), author: z.string(), body: z.string(), source: z.string(), externalId: z.string().nullable(), createdAt: z.string(),
});
const acts = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export function handoffTools(handoff: TicketHandoff): ToolDefinition[] {
  const tool = (name: string, title: string, description: string, input: z.ZodType, output: z.ZodType, readOnly = false) => ({
    name, title, description, inputSchema: zodToolSchema(input, 'input'), outputSchema: zodToolSchema(output, 'output'),
    annotations: readOnly ? { readOnlyHint: true, openWorldHint: false } : acts,
  });
  return [
    {
      role: 'operator',
      tool: tool('ticket.assign', 'Assign a ticket', 'Hand a ticket to a person (null: to nobody)', assignInput, ticketOutput),
      call: async (caller, args) => {
        const { ticket_id: id, assignee } = parseOrThrow(assignInput, args, 'input for ticket.assign');
        return toolOutput(await handoff.assign(id, caller, assignee));
      },
    },
    {
      role: 'viewer',
      tool: tool('ticket.comment', 'Comment on a ticket', 'Add a comment; the requester or an operator may', commentInput, comment),
      call: async (caller, args) => {
        const { ticket_id: id, body } = parseOrThrow(commentInput, args, 'input for ticket.comment');
        return toolOutput(await handoff.comment(id, caller, body, 'mcp'));
      },
    },
    {
      role: 'viewer',
      tool: tool('ticket.comments', 'Read the comments', 'The comments on a ticket, oldest first', commentsInput, z.object({ items: z.array(comment) }), true),
      call: async (_caller, args) => {
        const { ticket_id: id } = parseOrThrow(commentsInput, args, 'input for ticket.comments');
        return toolOutput({ items: await handoff.comments(id) });
      },
    },
    {
      role: 'operator',
      tool: tool('ticket.resolve', 'Resolve a ticket', 'A person resolves the ticket with a note (a human resolution); not while it is being worked on', resolveInput, ticketOutput),
      call: async (caller, args) => {
        const { ticket_id: id, note } = parseOrThrow(resolveInput, args, 'input for ticket.resolve');
        return toolOutput(await handoff.resolve(id, caller, note));
      },
    },
    {
      role: 'operator',
      tool: tool('ticket.rerun', 'Run a ticket again', 'Send an escalated, no-fault-found or resolved ticket through analysis, diagnosis and fix again', rerunInput, ticketOutput),
      call: async (caller, args) => {
        const { ticket_id: id, reason } = parseOrThrow(rerunInput, args, 'input for ticket.rerun');
        return toolOutput(await handoff.rerun(id, caller, reason));
      },
    },
  ];
}
