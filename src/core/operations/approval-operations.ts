// Approvals of plan steps: list them, approve or deny one. One definition each, offered by REST and MCP; every
// rule (admin role, not the requester, compare-and-swap, audit) is the ApprovalService's.
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../approval.ts';
import type { ApprovalService } from '../approval-service.ts';
import { defineOperation } from './operation.ts';
import { words } from './handoff-operations.ts';
import { approvalId, approvalSchema } from './ticket-schemas.ts';

export const listApprovalsOperation = defineOperation({
  name: 'ticket.approvals',
  title: 'List approvals',
  description: 'Approvals of plan steps that wait for a human (filter by status, e.g. pending, and ticket)',
  role: 'viewer',
  input: z.strictObject({
    status: z.enum(APPROVAL_STATUSES).optional(),
    ticketId: z.uuid('must be a ticket id (UUID)').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  output: z.object({ items: z.array(approvalSchema) }),
  run: async (approvals: ApprovalService, _caller, { ticketId, ...rest }) => ({
    items: await approvals.list({ ...rest, ...(ticketId ? { ticketId } : {}) }),
  }),
});

export const approveStepOperation = defineOperation({
  name: 'ticket.approve',
  title: 'Approve a step',
  description:
    'Approve one waiting step (admin; not the requester of the ticket). When every step is approved the plan runs.',
  role: 'admin',
  input: z.strictObject({ approvalId }),
  output: approvalSchema,
  run: (approvals: ApprovalService, caller, { approvalId: id }) => approvals.approve(id, caller),
});

export const denyStepOperation = defineOperation({
  name: 'ticket.deny',
  title: 'Deny a step',
  description:
    'Deny one waiting step with a reason (admin; not the requester): nothing runs and the ticket is escalated',
  role: 'admin',
  input: z.strictObject({ approvalId, reason: words(2000) }),
  output: approvalSchema,
  run: (approvals: ApprovalService, caller, { approvalId: id, reason }) => approvals.deny(id, caller, reason),
});
