// Approvals over REST: list them, approve or deny one. The operations of core/operations (MCP offers them too);
// every rule (role, requester, compare-and-swap, audit) lives in the shared ApprovalService, as for the CLI.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApprovalService } from '../../core/approval-service.ts';
import {
  approveStepOperation,
  denyStepOperation,
  listApprovalsOperation,
} from '../../core/operations/approval-operations.ts';
import { registerOperationRoute } from './operation-route.ts';

export interface ApprovalRouteDeps {
  approvals: ApprovalService;
}

export function approvalRoutes(deps: ApprovalRouteDeps): FastifyPluginAsyncZod {
  const approvals = () => deps.approvals;
  return async (rawApp) => {
    const app = rawApp as unknown as FastifyInstance;
    registerOperationRoute(
      app,
      listApprovalsOperation,
      {
        method: 'GET',
        url: '/api/v1/approvals',
        operationId: 'listApprovals',
        tag: 'approvals',
        summary: 'Approvals of plan steps, oldest first (filter by status and ticket)',
        answer: 'The approvals',
        errors: [],
      },
      approvals,
    );
    registerOperationRoute(
      app,
      approveStepOperation,
      {
        method: 'POST',
        url: '/api/v1/approvals/:id/approve',
        idField: 'approvalId',
        operationId: 'approveStep',
        tag: 'approvals',
        summary: 'Approve one step (admin; not the ticket requester)',
        answer: 'The approval, now approved',
        errors: [404, 409],
      },
      approvals,
    );
    registerOperationRoute(
      app,
      denyStepOperation,
      {
        method: 'POST',
        url: '/api/v1/approvals/:id/deny',
        idField: 'approvalId',
        operationId: 'denyStep',
        tag: 'approvals',
        summary: 'Deny one step (admin; not the ticket requester): the ticket is escalated',
        answer: 'The approval, now denied',
        errors: [404, 409],
      },
      approvals,
    );
  };
}
