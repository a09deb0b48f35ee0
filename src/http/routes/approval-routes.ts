// Approvals over REST: list them, approve or deny one. Every rule (role, requester, compare-and-swap, audit)
// lives in the shared ApprovalService, so REST, MCP and the CLI decide the same way.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../core/approval.ts';
import type { ApprovalService } from '../../core/approval-service.ts';
import { errorResponses } from '../openapi.ts';
import { approvalSchema } from '../schemas.ts';

export interface ApprovalRouteDeps {
  approvals: ApprovalService;
}

const idParams = z.strictObject({ id: z.uuid() });

export function approvalRoutes(deps: ApprovalRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/api/v1/approvals', {
      schema: {
        operationId: 'listApprovals', tags: ['approvals'],
        summary: 'Approvals of plan steps, oldest first (filter by status and ticket)',
        querystring: z.strictObject({
          status: z.enum(APPROVAL_STATUSES).optional(),
          ticketId: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(approvalSchema) }).describe('The approvals') },
      },
    }, async (request) => ({ items: await deps.approvals.list(request.query) }));

    app.post('/api/v1/approvals/:id/approve', {
      schema: {
        operationId: 'approveStep', tags: ['approvals'],
        summary: 'Approve one step (admin; not the ticket requester)', params: idParams,
        response: { 200: approvalSchema.describe('The approval, now approved'), ...errorResponses(404, 409) },
      },
    }, async (request) => deps.approvals.approve(request.params.id, request.identity));

    app.post('/api/v1/approvals/:id/deny', {
      schema: {
        operationId: 'denyStep', tags: ['approvals'],
        summary: 'Deny one step (admin; not the ticket requester): the ticket is escalated',
        params: idParams,
        body: z.strictObject({ reason: z.string().trim().min(1).max(2000) }),
        response: { 200: approvalSchema.describe('The approval, now denied'), ...errorResponses(404, 409) },
      },
    }, async (request) => deps.approvals.deny(request.params.id, request.identity, request.body.reason));
  };
}
