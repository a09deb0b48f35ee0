// Mapping between database rows and the store port's types: ISO strings for timestamps, the port's unions
// for status-like text columns, and the row values for inserts.
import type { InferInsertModel, InferSelectModel } from 'drizzle-orm';
import type { Risk } from '../../core/capability.ts';
import type {
  AuditEntry,
  AuditEvent,
  Comment,
  Execution,
  RunningStep,
  StepRecord,
  Ticket,
} from '../../core/ticket-repository.ts';
import type {
  Category,
  Intent,
  Priority,
  StepPhase,
  TicketOutcome,
  TicketSource,
  TicketStatus,
} from '../../core/ticket.ts';
import type { auditEvents, comments, executions, steps, tickets } from './schema.ts';

export type TicketRow = InferSelectModel<typeof tickets>;
type ExecutionRow = InferSelectModel<typeof executions>;
type StepRow = InferSelectModel<typeof steps>;
type AuditRow = InferSelectModel<typeof auditEvents>;
type CommentRow = InferSelectModel<typeof comments>;

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    status: row.status as TicketStatus,
    description: row.description,
    requester: row.requester,
    source: row.source as TicketSource,
    dryRun: row.dryRun,
    context: row.context,
    analysis: row.analysis,
    category: row.category as Category | null,
    priority: row.priority as Priority | null,
    resolutionNote: row.resolutionNote,
    escalationReason: row.escalationReason,
    findings: row.findings ?? [],
    outcome: (row.outcome as TicketOutcome | null) ?? null,
    idempotencyKey: row.idempotencyKey,
    title: row.title,
    externalId: row.externalId,
    reporter: row.reporter,
    labels: row.labels ?? [],
    intent: (row.intent as Intent | null) ?? null,
    team: row.team ?? null,
    handoffSummary: row.handoffSummary ?? null,
    assignee: row.assignee,
    resolvedAt: isoOrNull(row.resolvedAt),
    resolvedBy: row.resolvedBy,
    callbackUrl: row.callbackUrl,
  };
}

export function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    ticketId: row.ticketId,
    author: row.author,
    body: row.body,
    source: row.source,
    externalId: row.externalId,
    createdAt: iso(row.createdAt),
  };
}

export function toExecution(row: ExecutionRow): Execution {
  return {
    id: row.id,
    ticketId: row.ticketId,
    createdAt: iso(row.createdAt),
    finishedAt: isoOrNull(row.finishedAt),
    dryRun: row.dryRun,
    plan: row.plan,
    success: row.success,
    successRate: row.successRate,
    summary: row.summary,
  };
}

export function toStep(row: StepRow): StepRecord {
  return {
    executionId: row.executionId,
    ticketId: row.ticketId,
    index: row.idx,
    phase: row.phase as StepPhase,
    agent: row.agent,
    capability: row.capability,
    params: row.params,
    risk: row.risk as Risk,
    status: row.status as StepRecord['status'],
    output: row.output ?? null,
    error: row.error,
    startedAt: iso(row.startedAt),
    // Set on every row but a running one, which is read through toRunningStep.
    finishedAt: iso(row.finishedAt ?? row.startedAt),
    durationMs: row.durationMs ?? 0,
    attempts: row.attempts,
  };
}

export function toRunningStep(row: StepRow): RunningStep {
  return {
    executionId: row.executionId,
    ticketId: row.ticketId,
    index: row.idx,
    phase: row.phase as StepPhase,
    agent: row.agent,
    capability: row.capability,
    params: row.params,
    risk: row.risk as Risk,
    idempotencyKey: row.idempotencyKey,
    attempts: row.attempts,
    startedAt: iso(row.startedAt),
  };
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    ticketId: row.ticketId,
    at: iso(row.at),
    actor: row.actor,
    action: row.action,
    fromStatus: row.fromStatus as TicketStatus | null,
    toStatus: row.toStatus as TicketStatus | null,
    details: row.details,
  };
}

export function auditValues(entry: AuditEntry): InferInsertModel<typeof auditEvents> {
  return {
    ticketId: entry.ticketId,
    actor: entry.actor,
    action: entry.action,
    fromStatus: entry.fromStatus ?? null,
    toStatus: entry.toStatus ?? null,
    details: entry.details ?? {},
  };
}
