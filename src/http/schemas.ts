// Request and response schemas shared by the routes (zod; OpenAPI is generated from them).
import { z } from 'zod';
import { text } from '../core/text-guard.ts';
import { CATEGORIES, PRIORITIES, TICKET_LIMITS, TICKET_OUTCOMES, TICKET_STATUSES, findingSchema, ticketContextSchema, ticketOriginSchema } from '../core/ticket.ts';

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional(), requestId: z.string().optional() }),
});

export const ticketSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(TICKET_STATUSES),
  description: z.string(),
  requester: z.string(),
  source: z.string(),
  dryRun: z.boolean(),
  context: ticketContextSchema,
  analysis: z.unknown().nullable(),
  category: z.string().nullable(),
  priority: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  escalationReason: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  findings: z.array(findingSchema),
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
});

export const commentSchema = z.object({
  id: z.number(), ticketId: z.string(), author: z.string(), body: z.string(), source: z.string(),
  externalId: z.string().nullable(), createdAt: z.string(),
});

export const submitTicketBody = z.strictObject({
  description: text().trim().min(1, 'must not be empty').max(20_000),
  context: ticketContextSchema.optional(),
  dryRun: z.boolean().default(false),
  ...ticketOriginSchema.shape,
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

export const ticketIdParams = z.strictObject({ id: z.uuid('must be a ticket id (UUID)') });

const errorInfo = z.object({ code: z.string(), message: z.string(), retryable: z.boolean(), details: z.record(z.string(), z.unknown()).optional() });

export const executionSchema = z.object({
  id: z.string(), ticketId: z.string(), createdAt: z.string(), finishedAt: z.string().nullable(), dryRun: z.boolean(),
  plan: z.unknown(), success: z.boolean().nullable(), successRate: z.number().nullable(), summary: z.string().nullable(),
});

export const stepSchema = z.object({
  executionId: z.string(), ticketId: z.string(), index: z.number(), phase: z.string(), agent: z.string(), capability: z.string(),
  params: z.record(z.string(), z.unknown()), risk: z.string(), status: z.string(), output: z.unknown(), error: errorInfo.nullable(),
  startedAt: z.string(), finishedAt: z.string(), durationMs: z.number(),
});

export const auditSchema = z.object({
  id: z.number(), at: z.string(), ticketId: z.string().nullable(), actor: z.string(), action: z.string(),
  fromStatus: z.string().nullable(), toStatus: z.string().nullable(), details: z.record(z.string(), z.unknown()),
});

export const ticketDetailSchema = z.object({
  ticket: ticketSchema,
  executions: z.array(executionSchema),
  steps: z.array(stepSchema),
  audit: z.array(auditSchema),
  comments: z.array(commentSchema),
});
