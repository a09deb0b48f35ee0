// The requester's answer over MCP: confirm a ticket where no fault was found, or reopen one that is not fixed.
// Same TicketFeedback as REST and the CLI: the requester or an operator may answer.
import { z } from 'zod';
import type { TicketFeedback } from '../core/ticket-feedback.ts';
import { TICKET_LIMITS } from '../core/ticket.ts';
import { parseOrThrow } from '../core/validation.ts';
import { ticketOutput } from './ticket-tools.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

const confirmInput = z.strictObject({ ticket_id: z.uuid(), note: z.string().trim().max(2000).optional() });
const reopenInput = z.strictObject({
  ticket_id: z.uuid(), reason: z.string().trim().min(1).max(2000),
  assignee: z.string().trim().min(1).max(TICKET_LIMITS.assignee).optional().describe('Hand it to this person on the way (operator)'),
});
const answer = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export function feedbackTools(feedback: TicketFeedback): ToolDefinition[] {
  return [
    {
      role: 'viewer',
      tool: {
        name: 'ticket.confirm', title: 'Confirm no fault',
        description: 'The requester confirms that all is well on a ticket where diagnosis found no fault: it is resolved',
        inputSchema: zodToolSchema(confirmInput, 'input'), outputSchema: zodToolSchema(ticketOutput, 'output'), annotations: answer,
      },
      call: async (caller, args) => {
        const { ticket_id: id, note } = parseOrThrow(confirmInput, args, 'input for ticket.confirm');
        return toolOutput(await feedback.confirm(id, caller, note));
      },
    },
    {
      role: 'viewer',
      tool: {
        name: 'ticket.reopen', title: 'Reopen a ticket',
        description: 'The fault is still there: a resolved or no-fault-found ticket goes to a human with everything found',
        inputSchema: zodToolSchema(reopenInput, 'input'), outputSchema: zodToolSchema(ticketOutput, 'output'), annotations: answer,
      },
      call: async (caller, args) => {
        const { ticket_id: id, reason, assignee } = parseOrThrow(reopenInput, args, 'input for ticket.reopen');
        return toolOutput(await feedback.reopen(id, caller, reason, assignee !== undefined ? { assignee } : {}));
      },
    },
  ];
}
