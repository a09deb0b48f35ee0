// Approval tools for MCP clients: list, approve and deny through the same ApprovalService as REST, so the
// rules (admin role, not the requester, compare-and-swap, audit with the approver's key name) cannot drift.
import { z } from 'zod';
import type { Caller } from '../core/access.ts';
import { APPROVAL_STATUSES } from '../core/approval.ts';
import type { ApprovalService } from '../core/approval-service.ts';
import { parseOrThrow } from '../core/validation.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

const listInput = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  ticket_id: z.uuid().optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
const approveInput = z.strictObject({ approval_id: z.uuid() });
const denyInput = z.strictObject({ approval_id: z.uuid(), reason: z.string().trim().min(1).max(2000) });

const approval = z.object({
  id: z.string(), ticketId: z.string(), executionId: z.string(), stepIndex: z.number(), stepHash: z.string(),
  status: z.enum(APPROVAL_STATUSES), requestedBy: z.string(), decidedBy: z.string().nullable(), decidedAt: z.string().nullable(),
  expiresAt: z.string(), reason: z.string().nullable(), createdAt: z.string(),
});
const listOutput = z.object({ items: z.array(approval) });
const decision = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export function approvalTools(approvals: ApprovalService): ToolDefinition[] {
  return [
    {
      role: 'viewer',
      tool: {
        name: 'ticket.approvals', title: 'List approvals',
        description: 'Approvals of plan steps that wait for a human (filter by status, e.g. pending, and ticket)',
        inputSchema: zodToolSchema(listInput, 'input'), outputSchema: zodToolSchema(listOutput, 'output'),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      call: async (_caller: Caller, args) => {
        const { ticket_id: ticketId, ...rest } = parseOrThrow(listInput, args, 'input for ticket.approvals');
        return toolOutput({ items: await approvals.list({ ...rest, ...(ticketId ? { ticketId } : {}) }) });
      },
    },
    {
      role: 'admin',
      tool: {
        name: 'ticket.approve', title: 'Approve a step',
        description: 'Approve one waiting step (admin; not the requester of the ticket). When every step is approved the plan runs.',
        inputSchema: zodToolSchema(approveInput, 'input'), outputSchema: zodToolSchema(approval, 'output'), annotations: decision,
      },
      call: async (caller, args) => {
        const { approval_id: id } = parseOrThrow(approveInput, args, 'input for ticket.approve');
        return toolOutput(await approvals.approve(id, caller));
      },
    },
    {
      role: 'admin',
      tool: {
        name: 'ticket.deny', title: 'Deny a step',
        description: 'Deny one waiting step with a reason (admin; not the requester): nothing runs and the ticket is escalated',
        inputSchema: zodToolSchema(denyInput, 'input'), outputSchema: zodToolSchema(approval, 'output'), annotations: decision,
      },
      call: async (caller, args) => {
        const { approval_id: id, reason } = parseOrThrow(denyInput, args, 'input for ticket.deny');
        return toolOutput(await approvals.deny(id, caller, reason));
      },
    },
  ];
}
