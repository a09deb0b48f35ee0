// The ticket operations of core/operations as MCP tools (`ticket.*`): the same definitions REST routes are made
// from, with snake_case inputs like every tool. Only MCP adds to one: ticket.submit may wait for the ticket to
// settle, telling each status change as progress.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ApprovalService } from '../core/approval-service.ts';
import type { TicketEventBus } from '../core/events.ts';
import {
  approveStepOperation,
  denyStepOperation,
  listApprovalsOperation,
} from '../core/operations/approval-operations.ts';
import {
  assignTicketOperation,
  commentTicketOperation,
  confirmTicketOperation,
  reopenTicketOperation,
  rerunTicketOperation,
  resolveTicketOperation,
  ticketCommentsOperation,
} from '../core/operations/handoff-operations.ts';
import {
  listTicketsOperation,
  showTicketOperation,
  submitTicketOperation,
  type TicketOperationDeps,
} from '../core/operations/ticket-operations.ts';
import type { TicketFeedback } from '../core/ticket-feedback.ts';
import type { TicketHandoff } from '../core/ticket-handoff.ts';
import { READ_ONLY, WRITES, operationTool, type ToolExtension } from './operation-tools.ts';
import { waitForTicket } from './ticket-wait.ts';
import type { ToolDefinition } from './tool-definition.ts';

export interface TicketToolDeps extends TicketOperationDeps {
  /** What `wait` listens to; without it, a wait re-reads the ticket until it settles. */
  events?: TicketEventBus;
  /** Approval tools (list, approve, deny) are offered when given. */
  approvals?: ApprovalService;
  /** Confirm and reopen are offered when given. */
  feedback?: TicketFeedback;
  /** Assign, comment, resolve and rerun are offered when given. */
  handoff?: TicketHandoff;
}

const WAIT_DEFAULT_MS = 60_000;
const WAIT_MAX_MS = 600_000;
const noEvents: TicketEventBus = { publish: () => {}, subscribe: () => () => {} };

type Submitted = z.output<typeof submitTicketOperation.output>;

function submitExtension(deps: TicketToolDeps): ToolExtension<Submitted> {
  return {
    input: {
      idempotency_key: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('A retry with the same key returns the first ticket'),
      wait: z
        .boolean()
        .default(false)
        .describe(
          'Answer once the ticket settles (resolved, escalated, awaiting approval, a dry run planned...), with progress notifications on each status change when the request carries a progressToken',
        ),
      timeout_ms: z
        .number()
        .int()
        .min(1)
        .max(WAIT_MAX_MS)
        .default(WAIT_DEFAULT_MS)
        .describe('How long wait waits; then the ticket comes back as it is, with settled false'),
    },
    output: { settled: z.boolean().optional().describe('With wait: whether the ticket settled before the timeout') },
    call: async (run, extra, call) => {
      const key = extra.idempotency_key as string | undefined;
      const submitted = await run(key !== undefined ? { idempotencyKey: key } : {});
      if (!extra.wait) return submitted;
      const waited = await waitForTicket(
        { store: deps.store, events: deps.events ?? noEvents },
        submitted.ticket.id,
        extra.timeout_ms as number,
        call?.progress,
        call?.signal,
      );
      return { ticket: waited.ticket, created: submitted.created, settled: waited.settled };
    },
  };
}

export function ticketTools(deps: TicketToolDeps): ToolDefinition[] {
  const { handoff, feedback, approvals } = deps;
  return [
    operationTool(submitTicketOperation, deps, { annotations: WRITES, extension: submitExtension(deps) }),
    operationTool(showTicketOperation, deps, { annotations: READ_ONLY }),
    operationTool(listTicketsOperation, deps, { annotations: READ_ONLY }),
    ...(approvals
      ? [
          operationTool(listApprovalsOperation, approvals, { annotations: READ_ONLY }),
          operationTool(approveStepOperation, approvals, { annotations: WRITES }),
          operationTool(denyStepOperation, approvals, { annotations: WRITES }),
        ]
      : []),
    ...(feedback
      ? [
          operationTool(confirmTicketOperation, feedback, { annotations: WRITES }),
          operationTool(reopenTicketOperation, feedback, { annotations: WRITES }),
        ]
      : []),
    ...(handoff
      ? [
          operationTool(assignTicketOperation, handoff, { annotations: WRITES }),
          operationTool(commentTicketOperation, handoff, { annotations: WRITES }),
          operationTool(ticketCommentsOperation, handoff, { annotations: READ_ONLY }),
          operationTool(resolveTicketOperation, handoff, { annotations: WRITES }),
          operationTool(rerunTicketOperation, handoff, { annotations: WRITES }),
        ]
      : []),
  ];
}

/**
 * The ticket tools' names, schemas and annotations, as ticketTools makes them for a runtime with every service
 * (approvals, feedback, handoff): what the MCP tool catalogue lists. Nothing here can answer a call — any service
 * used throws — and only each definition's `tool` is read.
 */
export function ticketToolSpecs(): Tool[] {
  const absent = new Proxy(
    {},
    {
      get: (_target, key) => {
        throw new Error(`the tool catalogue has no services to call (${String(key)})`);
      },
    },
  );
  const deps = Object.assign(Object.create(absent) as object, {
    approvals: absent,
    feedback: absent,
    handoff: absent,
  }) as TicketToolDeps;
  return ticketTools(deps).map((definition) => definition.tool);
}
