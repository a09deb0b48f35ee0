// The shapes of tickets, comments and approvals as every interface shows them, and the input of submitting and
// listing tickets (zod; REST's OpenAPI and MCP's tool schemas are generated from them). A schema given an `id` with
// `.meta()` is a component of the OpenAPI document (`#/components/schemas/<id>`; as a request body or parameter,
// `<id>Input`): give one to every shape a client would name.
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../approval.ts';
import { text } from '../text-guard.ts';
import {
  CATEGORIES,
  PRIORITIES,
  TICKET_LIMITS,
  TICKET_OUTCOMES,
  TICKET_STATUSES,
  findingSchema,
  ticketContextSchema,
  ticketOriginSchema,
  type Analysis,
} from '../ticket.ts';

export const ticketContext = ticketContextSchema.meta({
  id: 'TicketContext',
  description: 'Where to act, when known; the analysis also extracts it from the text',
});
export const finding = findingSchema.meta({
  id: 'Finding',
  description: 'A fact diagnosis established, with its figures and its state',
});

const EXAMPLE_TICKET = {
  id: '0193c1f2-7d2a-7c4e-9b1a-3f0e2d1c4b5a',
  createdAt: '2026-01-05T09:12:03.120Z',
  updatedAt: '2026-01-05T09:12:05.410Z',
  status: 'resolved',
  description: 'The shop is down, customers cannot pay',
  requester: 'alice',
  source: 'api',
  dryRun: false,
  context: { serviceName: 'shop' },
  analysis: { category: 'application', priority: 'critical' },
  category: 'application',
  priority: 'critical',
  resolutionNote: 'shop answered again after a restart',
  escalationReason: null,
  idempotencyKey: null,
  findings: [],
  outcome: 'verified_fix',
  title: 'Shop down',
  externalId: null,
  reporter: null,
  labels: [],
  assignee: null,
  resolvedAt: '2026-01-05T09:12:05.410Z',
  resolvedBy: 'twisterlab',
  callbackUrl: null,
};

export const ticketSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    status: z.enum(TICKET_STATUSES),
    description: z.string(),
    requester: z.string(),
    source: z.string(),
    dryRun: z.boolean(),
    context: ticketContext,
    // Typed in core; documented as an open object (its fields grow with the analysis).
    analysis: z
      .custom<Analysis>((value) => typeof value === 'object')
      .meta({ type: 'object', additionalProperties: true })
      .nullable()
      .describe('Sentiment, category, priority, extracted context; null until analysed'),
    category: z.string().nullable(),
    priority: z.string().nullable(),
    resolutionNote: z.string().nullable(),
    escalationReason: z.string().nullable(),
    idempotencyKey: z.string().nullable(),
    findings: z.array(finding),
    outcome: z.enum(TICKET_OUTCOMES).nullable(),
    title: z.string().nullable(),
    externalId: z.string().nullable(),
    reporter: z.string().nullable(),
    labels: z.array(z.string()),
    assignee: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    callbackUrl: z.string().nullable(),
    intent: z.string().nullable().optional(),
    team: z.string().nullable().optional(),
    handoffSummary: z.string().nullable().optional(),
  })
  .meta({ id: 'Ticket', examples: [EXAMPLE_TICKET] });

export const commentSchema = z
  .object({
    id: z.number(),
    ticketId: z.string(),
    author: z.string(),
    body: z.string(),
    source: z.string(),
    externalId: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Comment', description: 'A comment on a ticket' });

export const submitTicketBody = z
  .strictObject({
    description: text()
      .trim()
      .min(1, 'must not be empty')
      .max(20_000)
      .describe('What is wrong, in the words of whoever reported it'),
    context: ticketContext.optional(),
    dryRun: z.boolean().default(false).describe('Analyse and plan only; nothing runs'),
    ...ticketOriginSchema.shape,
  })
  .meta({
    id: 'SubmitTicket',
    examples: [{ description: 'The shop is down, customers cannot pay', context: { serviceName: 'shop' } }],
  });

export const listTicketsQuery = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  category: z.enum(CATEGORIES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  source: z.string().min(1).max(60).optional(),
  externalId: z.string().min(1).max(TICKET_LIMITS.externalId).optional(),
  assignee: z.string().min(1).max(TICKET_LIMITS.assignee).optional(),
  label: z.string().min(1).max(TICKET_LIMITS.label).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ticketId = z.uuid('must be a ticket id (UUID)');
export const approvalId = z.uuid('must be an approval id (UUID)');

const errorInfo = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const executionSchema = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    dryRun: z.boolean(),
    plan: z.unknown(),
    success: z.boolean().nullable(),
    successRate: z.number().nullable(),
    summary: z.string().nullable(),
  })
  .meta({ id: 'Execution', description: 'One plan of a ticket (diagnosis, remedy or dry run) and how it went' });

export const stepSchema = z
  .object({
    executionId: z.string(),
    ticketId: z.string(),
    index: z.number(),
    phase: z.string(),
    agent: z.string(),
    capability: z.string(),
    params: z.record(z.string(), z.unknown()),
    risk: z.string(),
    status: z.string(),
    output: z.unknown(),
    error: errorInfo.nullable(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number(),
  })
  .meta({ id: 'Step', description: 'One step that ran: its parameters, output or error, and timings' });

export const auditSchema = z
  .object({
    id: z.number(),
    at: z.string(),
    ticketId: z.string().nullable(),
    actor: z.string(),
    action: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry', description: 'One row of the append-only audit trail' });

export const ticketDetailSchema = z
  .object({
    ticket: ticketSchema,
    executions: z.array(executionSchema),
    steps: z.array(stepSchema),
    audit: z.array(auditSchema),
    comments: z.array(commentSchema),
  })
  .meta({ id: 'TicketDetail', description: 'A ticket with its plans, steps, audit trail and comments' });

export const approvalSchema = z
  .object({
    id: z.string(),
    ticketId: z.string(),
    executionId: z.string(),
    stepIndex: z.number().int(),
    stepHash: z.string(),
    status: z.enum(APPROVAL_STATUSES),
    requestedBy: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    expiresAt: z.string(),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({
    id: 'Approval',
    description: 'A step that waits for (or got) a human decision, bound to the step by its hash',
  });
