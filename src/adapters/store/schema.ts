// The database schema, declared once for PGlite and PostgreSQL; `drizzle-kit generate` turns it into the
// committed SQL migrations under drizzle/. Column names are snake_case, TypeScript fields camelCase.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ErrorInfo } from '../../core/errors.ts';
import type { AgentRecord } from '../../core/ticket-repository.ts';
import { TICKET_STATUSES } from '../../core/ticket.ts';
import type { Analysis, Finding, Plan, TicketContext } from '../../core/ticket.ts';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const statusList = sql.raw(TICKET_STATUSES.map((s) => `'${s}'`).join(', '));

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    status: text('status').notNull(),
    description: text('description').notNull(),
    requester: text('requester').notNull(),
    source: text('source').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    context: jsonb('context').$type<TicketContext>().notNull().default({}),
    analysis: jsonb('analysis').$type<Analysis>(),
    category: text('category'),
    priority: text('priority'),
    resolutionNote: text('resolution_note'),
    escalationReason: text('escalation_reason'),
    // What diagnosis found and what became of it (confirmed, fixed, remains), and how the ticket ended (outcome).
    findings: jsonb('findings').$type<Finding[]>().notNull().default([]),
    outcome: text('outcome'),
    idempotencyKey: text('idempotency_key').unique('tickets_idempotency_key_unique'),
    requestHash: text('request_hash'),
    // Which orchestrator works on the ticket, and until when: every write of one checks and renews this lease, so
    // two processes never run the same ticket's steps. Null when nobody holds it.
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    // Where the ticket came from and who holds it: a helpdesk's or an alert's own id (externalId, per source),
    // the person who reported it there, labels, the human it is assigned to, when and by whom it was resolved
    // (null resolvedBy: the loop itself), and the URL told of every change.
    title: text('title'),
    externalId: text('external_id'),
    reporter: text('reporter'),
    labels: jsonb('labels').$type<string[]>().notNull().default([]),
    assignee: text('assignee'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    resolvedBy: text('resolved_by'),
    callbackUrl: text('callback_url'),
    // Triage: what the requester wants (intent), the team routing chose, and the handoff a person reads when the
    // ticket comes to them (plain words; the technical detail stays in escalation_reason / resolution_note).
    intent: text('intent'),
    team: text('team'),
    handoffSummary: text('handoff_summary'),
  },
  (t) => [
    check('tickets_status_check', sql`${t.status} in (${statusList})`),
    // One open ticket per outside identity: a repeat (an alert firing again, a helpdesk update) finds it.
    uniqueIndex('tickets_source_external_id_open_idx')
      .on(t.source, t.externalId)
      .where(sql`${t.externalId} is not null and ${t.status} not in ('resolved', 'failed')`),
    index('tickets_assignee_idx').on(t.assignee),
    index('tickets_team_idx').on(t.team),
    index('tickets_status_created_at_idx').on(t.status, t.createdAt),
    index('tickets_category_idx').on(t.category),
    index('tickets_priority_idx').on(t.priority),
    index('tickets_created_at_idx').on(t.createdAt),
  ],
);

// Words on a ticket from people: a note from the console, an e-mail reply, a helpdesk update. `externalId`
// (a Message-ID, a helpdesk article id) makes a redelivered one a no-op.
export const comments = pgTable(
  'comments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    author: text('author').notNull(),
    body: text('body').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('comments_ticket_id_id_idx').on(t.ticketId, t.id),
    unique('comments_ticket_id_external_id_unique').on(t.ticketId, t.externalId),
  ],
);

export const executions = pgTable(
  'executions',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    dryRun: boolean('dry_run').notNull(),
    plan: jsonb('plan').$type<Plan>().notNull(),
    success: boolean('success'),
    successRate: doublePrecision('success_rate'),
    summary: text('summary'),
  },
  (t) => [index('executions_ticket_id_idx').on(t.ticketId)],
);

export const steps = pgTable(
  'steps',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    idx: integer('idx').notNull(),
    phase: text('phase').notNull(),
    agent: text('agent').notNull(),
    capability: text('capability').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    risk: text('risk').notNull(),
    // `running` from just before the capability is called until its result replaces the row.
    status: text('status').notNull(),
    output: jsonb('output'),
    error: jsonb('error').$type<ErrorInfo>(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    durationMs: doublePrecision('duration_ms'),
    // `executionId:index`, unique: a step is claimed once, and a retried job that writes it again changes nothing.
    idempotencyKey: text('idempotency_key')
      .generatedAlwaysAs(sql`execution_id::text || ':' || idx::text`)
      .notNull(),
    attempts: integer('attempts').notNull().default(1),
  },
  (t) => [unique('steps_idempotency_key_unique').on(t.idempotencyKey), index('steps_ticket_id_idx').on(t.ticketId)],
);

export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  description: text('description').notNull(),
  capabilities: jsonb('capabilities').$type<AgentRecord['capabilities']>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// Append-only: a trigger in the `audit_append_only` migration refuses UPDATE, DELETE and TRUNCATE.
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: uuid('ticket_id').references(() => tickets.id),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_ticket_id_id_idx').on(t.ticketId, t.id)],
);

// SSH devices registered through the API (those of TWISTERLAB_DEVICES_FILE live in the file). Secrets are
// never stored: `auth` holds a method and file paths only.
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    description: text('description').notNull().default(''),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    username: text('username').notNull(),
    auth: jsonb('auth').$type<Record<string, string>>().notNull(),
    allowPassword: boolean('allow_password').notNull().default(false),
    hostKey: text('host_key'),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    allow: jsonb('allow').$type<Array<{ program: string; args: string[]; risk?: string }>>().notNull().default([]),
    maxConcurrency: integer('max_concurrency').notNull(),
    connectTimeoutMs: integer('connect_timeout_ms'),
    services: jsonb('services').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('devices_port_check', sql`${t.port} between 1 and 65535`),
    check('devices_max_concurrency_check', sql`${t.maxConcurrency} between 1 and 8`),
  ],
);

// Backups taken by the backup agent; the archives sit under <data dir>/backups/. Never a secret: database
// targets are service names or URLs without a password.
export const backups = pgTable(
  'backups',
  {
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    target: text('target').notNull(),
    deviceId: text('device_id').notNull(),
    path: text('path').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    ticketId: uuid('ticket_id'),
    createdAt: createdAt(),
  },
  (t) => [
    check('backups_type_check', sql`${t.type} in ('files', 'postgres', 'redis')`),
    index('backups_type_target_created_at_idx').on(t.type, t.target, t.createdAt),
  ],
);

// Human approvals of plan steps that policy will not run unattended. `step_hash` binds an approval to the exact
// step (runbook, capability, parameters); status changes are compare-and-swap, so a step is consumed once.
export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id),
    stepIndex: integer('step_index').notNull(),
    stepHash: text('step_hash').notNull(),
    status: text('status').notNull(),
    requestedBy: text('requested_by').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    check('approvals_status_check', sql`${t.status} in ('pending', 'approved', 'denied', 'expired', 'consumed')`),
    unique('approvals_execution_id_step_index_unique').on(t.executionId, t.stepIndex),
    index('approvals_status_expires_at_idx').on(t.status, t.expiresAt),
    index('approvals_ticket_id_idx').on(t.ticketId),
  ],
);

// The notifications outbox: a row is written in the same statement as the ticket change that caused it, then
// delivered at least once by the dispatcher (any process; rows are claimed with a lease under SKIP LOCKED).
// `idempotency_key` is what receivers see as the delivery id: the same on every attempt of one notification.
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    channel: text('channel').notNull(),
    event: text('event').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    // The ticket as the change left it, and what the event adds (approvals, from/to): the message is made from it.
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    check('notifications_status_check', sql`${t.status} in ('pending', 'delivered', 'failed')`),
    unique('notifications_idempotency_key_unique').on(t.idempotencyKey),
    index('notifications_status_next_attempt_at_idx').on(t.status, t.nextAttemptAt),
    index('notifications_ticket_id_idx').on(t.ticketId),
  ],
);
