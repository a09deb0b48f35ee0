// `apply` as ONE SQL statement: a compare-and-swap UPDATE of the ticket, and data-modifying CTEs for the
// execution, steps, finish and audit rows that read from it, so they are written only when the swap
// succeeded. One statement is atomic and costs one round trip instead of BEGIN, four writes and COMMIT.
// Statements are prepared once per shape of change (which parts it has): building SQL with Drizzle costs
// far more CPU than running a prepared one, and the store's CPU is what limits tickets per second.
import { and, eq, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { PgPreparedQuery, PgUpdateSetSource, PreparedQueryConfig } from 'drizzle-orm/pg-core';
import { TwisterError } from '../../core/errors.ts';
import type { AuditEntry, StepClaim, StepRecord, TicketChange } from '../../core/ticket-repository.ts';
import type { TicketStatus } from '../../core/ticket.ts';
import type { TicketRow } from './rows.ts';
import { tickets } from './schema.ts';
import type { StoreDatabase } from './ticket-store.ts';

type Prepared = PgPreparedQuery<PreparedQueryConfig & { execute: TicketRow[] }>;
const SET_FIELDS = [
  'status',
  'analysis',
  'category',
  'priority',
  'context',
  'resolutionNote',
  'escalationReason',
  'findings',
  'outcome',
  'title',
  'labels',
  'assignee',
  'intent',
  'team',
  'handoffSummary',
] as const;
type SetValues = Partial<Record<(typeof SET_FIELDS)[number], unknown>>;

interface Shape {
  transition: boolean;
  /** A status compare-and-swap without a move (`expectStatus`). */
  guardsStatus: boolean;
  lease: 'none' | 'hold' | 'release';
  claim: boolean;
  retake: boolean;
  fields: ReadonlyArray<(typeof SET_FIELDS)[number]>;
  newExecution: boolean;
  /** The change finishes the execution it creates: folded into the insert, a statement cannot see its own rows. */
  finishesNew: boolean;
  finishesExisting: boolean;
  steps: boolean;
  approvals: boolean;
  audit: boolean;
  /** Outbox rows for the notifications the change causes (filtered on the ticket as changed). */
  notes: boolean;
}

/** One outbox row to write with the change, if the ticket as changed passes the channel's filters. */
export interface OutboxNote {
  id: string;
  channel: string;
  event: string;
  categories: readonly string[] | null;
  priorities: readonly string[] | null;
  callback: boolean;
  details: Record<string, unknown>;
}

const p = (name: string) => sql.placeholder(name);
const jsonText = (value: unknown): string => JSON.stringify(value ?? null);

export class ChangeWriter {
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly db: StoreDatabase) {}

  /** The ticket after the change, or undefined when the swap matched no row (nothing was written). */
  async apply(
    ticketId: string,
    change: TicketChange,
    notes: readonly OutboxNote[] = [],
  ): Promise<TicketRow | undefined> {
    const values = setValues(change);
    const finish = change.finishExecution;
    const finishesNew = finish !== undefined && finish.id === change.newExecution?.id;
    const shape: Shape = {
      transition: change.transition !== undefined,
      guardsStatus: change.transition === undefined && change.expectStatus !== undefined,
      lease: change.lease ? (change.lease.release ? 'release' : 'hold') : 'none',
      claim: change.claimStep !== undefined,
      retake: change.retakeStep !== undefined,
      fields: SET_FIELDS.filter((f) => f in values),
      newExecution: change.newExecution !== undefined,
      finishesNew,
      finishesExisting: finish !== undefined && !finishesNew,
      steps: (change.steps?.length ?? 0) > 0,
      approvals: (change.newApprovals?.length ?? 0) > 0,
      audit: change.audit.length > 0,
      notes: notes.length > 0,
    };
    const [row] = await this.statement(shape).execute({
      ...values,
      ticketId,
      from: change.transition?.from ?? change.expectStatus ?? null,
      resolvedBy: change.patch?.resolvedBy ?? null,
      leaseOwner: change.lease?.owner ?? null,
      leaseMs: change.lease?.ms ?? null,
      claim: jsonText(change.claimStep ? stepRecord({ ...change.claimStep, status: 'running' }) : null),
      retakeExec: change.retakeStep?.executionId ?? null,
      retakeIdx: change.retakeStep?.index ?? null,
      execId: change.newExecution?.id ?? null,
      execDryRun: change.newExecution?.dryRun ?? null,
      execPlan: jsonText(change.newExecution?.plan),
      finId: finish?.id ?? null,
      finSuccess: finish?.success ?? null,
      finRate: finish?.successRate ?? null,
      finSummary: finish?.summary ?? null,
      steps: jsonText((change.steps ?? []).map(stepRecord)),
      approvals: jsonText(
        (change.newApprovals ?? []).map((a) => ({
          id: a.id,
          execution_id: a.executionId,
          step_index: a.stepIndex,
          step_hash: a.stepHash,
          requested_by: a.requestedBy,
          expires_at: a.expiresAt,
        })),
      ),
      audit: jsonText(change.audit.map(auditRecord)),
      notes: jsonText(notes),
    });
    return row;
  }

  private statement(shape: Shape): Prepared {
    const flags = [
      shape.transition,
      ...SET_FIELDS.map((f) => shape.fields.includes(f)),
      shape.newExecution,
      shape.finishesNew,
      shape.finishesExisting,
      shape.steps,
      shape.audit,
      shape.approvals,
      shape.guardsStatus,
      shape.lease !== 'none',
      shape.lease === 'release',
      shape.claim,
      shape.retake,
      shape.notes,
    ];
    const name = `tl_apply_${parseInt(flags.map((f) => (f ? '1' : '0')).join(''), 2).toString(36)}`;
    let statement = this.prepared.get(name);
    if (!statement) {
      statement = build(this.db, shape).prepare(name) as Prepared;
      this.prepared.set(name, statement);
    }
    return statement;
  }
}

function setValues(change: TicketChange): SetValues {
  const patch = change.patch ?? {};
  const values: SetValues = {};
  if (change.transition) values.status = change.transition.to;
  if (patch.analysis)
    Object.assign(values, {
      analysis: patch.analysis,
      category: patch.analysis.category,
      priority: patch.analysis.priority,
    });
  if (patch.category) values.category = patch.category;
  if (patch.priority) values.priority = patch.priority;
  if (patch.context) values.context = patch.context;
  if (patch.resolutionNote !== undefined) values.resolutionNote = patch.resolutionNote;
  if (patch.escalationReason !== undefined) values.escalationReason = patch.escalationReason;
  if (patch.findings !== undefined) values.findings = patch.findings;
  if (patch.outcome !== undefined) values.outcome = patch.outcome;
  if (patch.title !== undefined) values.title = patch.title;
  if (patch.labels !== undefined) values.labels = patch.labels;
  if (patch.assignee !== undefined) values.assignee = patch.assignee;
  if (patch.intent !== undefined) values.intent = patch.intent;
  if (patch.team !== undefined) values.team = patch.team;
  if (patch.handoffSummary !== undefined) values.handoffSummary = patch.handoffSummary;
  return values;
}

function build(db: StoreDatabase, shape: Shape) {
  const conditions: SQL[] = [sql`${tickets.id} = ${p('ticketId')}::uuid`];
  if (shape.transition || shape.guardsStatus) conditions.push(sql`${tickets.status} = ${p('from')}`);
  // Nobody else may hold a live lease: a second process stops here instead of running the ticket's steps too.
  if (shape.lease !== 'none') {
    conditions.push(
      sql`(${tickets.leaseOwner} is null or ${tickets.leaseOwner} = ${p('leaseOwner')} or ${tickets.leaseUntil} < now())`,
    );
  }
  if (shape.finishesExisting) {
    conditions.push(
      sql`exists (select 1 from executions where id = ${p('finId')}::uuid and ticket_id = ${p('ticketId')}::uuid)`,
    );
  }
  const set: PgUpdateSetSource<typeof tickets> = { updatedAt: sql`now()` };
  for (const field of shape.fields) Object.assign(set, { [field]: p(field) });
  // Every move sets when and by whom the ticket was resolved, or clears both when it leaves `resolved` (reopened).
  if (shape.transition) {
    Object.assign(set, {
      resolvedAt: sql`case when ${p('status')}::text = 'resolved' then now() end`,
      resolvedBy: sql`case when ${p('status')}::text = 'resolved' then ${p('resolvedBy')}::text end`,
    });
  }
  if (shape.lease === 'hold')
    Object.assign(set, {
      leaseOwner: p('leaseOwner'),
      leaseUntil: sql`now() + ${p('leaseMs')}::integer * interval '1 millisecond'`,
    });
  if (shape.lease === 'release') Object.assign(set, { leaseOwner: null, leaseUntil: null });
  const upd = db.$with('upd').as(
    db
      .update(tickets)
      .set(set)
      .where(and(...conditions))
      .returning(),
  );
  const writes = [
    shape.newExecution ? insertExecution(shape.finishesNew) : undefined,
    shape.steps ? insertSteps : undefined,
    shape.finishesExisting ? finishExecution : undefined,
    shape.audit ? insertAudit : undefined,
    shape.approvals ? insertApprovals : undefined,
    shape.claim ? insertClaim : undefined,
    shape.retake ? retakeStep : undefined,
    shape.notes ? insertNotes : undefined,
  ].flatMap((body, i) => (body ? [db.$with(`w${i}`, { n: sql<number>`1` }).as(body)] : []));
  return db
    .with(upd, ...writes)
    .select()
    .from(upd);
}

function insertExecution(finished: boolean): SQL {
  const finish = finished
    ? sql`now(), ${p('finSuccess')}::boolean, ${p('finRate')}::double precision, ${p('finSummary')}::text`
    : sql`null, null, null, null`;
  return sql`insert into executions (id, ticket_id, dry_run, plan, finished_at, success, success_rate, summary)
    select ${p('execId')}::uuid, upd.id, ${p('execDryRun')}::boolean, ${p('execPlan')}::jsonb, ${finish} from upd`;
}

// A result replaces the step's `running` row. A retried job writes the same (execution, index) again: the first
// result stands.
const insertSteps = sql`insert into steps (execution_id, ticket_id, idx, phase, agent, capability, params, risk,
    status, output, error, started_at, finished_at, duration_ms, attempts)
  select s.execution_id, s.ticket_id, s.idx, s.phase, s.agent, s.capability, s.params, s.risk, s.status, s.output,
    s.error, s.started_at, s.finished_at, s.duration_ms, coalesce(s.attempts, 1)
  from upd, jsonb_to_recordset(${p('steps')}::jsonb) as s(execution_id uuid, ticket_id uuid, idx integer, phase text,
    agent text, capability text, params jsonb, risk text, status text, output jsonb, error jsonb,
    started_at timestamptz, finished_at timestamptz, duration_ms double precision, attempts integer)
  on conflict (idempotency_key) do update set params = excluded.params, status = excluded.status, output = excluded.output,
    error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at,
    duration_ms = excluded.duration_ms, attempts = excluded.attempts
  where steps.status = 'running'`;

// No `on conflict`: a key claimed before fails the whole statement (unique violation), so nothing else is written.
const insertClaim = sql`insert into steps (execution_id, ticket_id, idx, phase, agent, capability, params, risk, status, started_at)
  select c.execution_id, upd.id, c.idx, c.phase, c.agent, c.capability, c.params, c.risk, 'running', c.started_at
  from upd, jsonb_to_record(${p('claim')}::jsonb) as c(execution_id uuid, idx integer, phase text, agent text,
    capability text, params jsonb, risk text, started_at timestamptz)`;

const retakeStep = sql`update steps set attempts = attempts + 1, started_at = now() from upd
  where steps.execution_id = ${p('retakeExec')}::uuid and steps.idx = ${p('retakeIdx')}::integer
    and steps.ticket_id = upd.id and steps.status = 'running'`;

const finishExecution = sql`update executions set finished_at = now(), success = ${p('finSuccess')}::boolean,
    success_rate = ${p('finRate')}::double precision, summary = ${p('finSummary')}::text
  from upd where executions.id = ${p('finId')}::uuid and executions.ticket_id = upd.id`;

const insertAudit = sql`insert into audit_events (ticket_id, actor, action, from_status, to_status, details)
  select a.ticket_id, a.actor, a.action, a.from_status, a.to_status, coalesce(a.details, '{}'::jsonb)
  from upd, jsonb_to_recordset(${p('audit')}::jsonb) as a(ticket_id uuid, actor text, action text,
    from_status text, to_status text, details jsonb)`;

const insertApprovals = sql`insert into approvals (id, ticket_id, execution_id, step_index, step_hash, status, requested_by, expires_at)
  select a.id, upd.id, a.execution_id, a.step_index, a.step_hash, 'pending', a.requested_by, a.expires_at
  from upd, jsonb_to_recordset(${p('approvals')}::jsonb) as a(id uuid, execution_id uuid, step_index integer, step_hash text,
    requested_by text, expires_at timestamptz)`;

// The ticket row as the change left it goes into the payload (without the lease and request hash), so the
// message says what was true at that moment; channel filters are judged on it too.
const insertNotes = sql`insert into notifications (id, ticket_id, channel, event, idempotency_key, payload)
  select n.id, upd.id, n.channel, n.event, n.id::text, jsonb_build_object(
    'ticket', to_jsonb(upd) - 'lease_owner' - 'lease_until' - 'request_hash' - 'analysis' - 'idempotency_key',
    'details', coalesce(n.details, '{}'::jsonb))
  from upd, jsonb_to_recordset(${p('notes')}::jsonb) as n(id uuid, channel text, event text, categories jsonb,
    priorities jsonb, callback boolean, details jsonb)
  where (n.categories is null or n.categories @> to_jsonb(upd.category))
    and (not coalesce(n.callback, false) or upd.callback_url is not null)
    and (n.priorities is null or n.priorities @> to_jsonb(upd.priority))`;

function stepRecord(s: StepClaim & Omit<Partial<StepRecord>, 'status'> & { status: string }): Record<string, unknown> {
  return {
    execution_id: s.executionId,
    ticket_id: s.ticketId,
    idx: s.index,
    phase: s.phase,
    agent: s.agent,
    capability: s.capability,
    params: s.params,
    risk: s.risk,
    status: s.status,
    output: s.output ?? null,
    error: s.error ?? null,
    started_at: s.startedAt,
    finished_at: s.finishedAt ?? null,
    duration_ms: s.durationMs ?? null,
    attempts: s.attempts ?? 1,
  };
}

function auditRecord(entry: AuditEntry): Record<string, unknown> {
  return {
    ticket_id: entry.ticketId,
    actor: entry.actor,
    action: entry.action,
    from_status: entry.fromStatus ?? null,
    to_status: entry.toStatus ?? null,
    details: entry.details ?? {},
  };
}

/** Why the swap matched no row: the ticket is gone, it moved on, another process holds it, or the execution to finish is not there. */
export async function explainMiss(db: StoreDatabase, ticketId: string, change: TicketChange): Promise<TwisterError> {
  const finishId = change.finishExecution?.id ?? null;
  const owner = change.lease?.owner ?? null;
  const [current] = await db
    .select({
      status: tickets.status,
      hasExecution: sql<boolean>`exists (select 1 from executions where id = ${finishId}::uuid and ticket_id = ${tickets.id})`,
      heldBy: sql<string | null>`case when ${tickets.leaseUntil} >= now() then ${tickets.leaseOwner} end`,
    })
    .from(tickets)
    .where(eq(tickets.id, ticketId));
  if (!current) return new TwisterError('TICKET_NOT_FOUND', `no ticket has id ${ticketId}`, { ticketId });
  const { transition } = change;
  const status = current.status as TicketStatus;
  if (transition && status !== transition.from) {
    return new TwisterError(
      'INVALID_TRANSITION',
      `ticket ${ticketId} is ${status}, not ${transition.from}: it cannot move to ${transition.to}`,
      { ticketId, from: transition.from, to: transition.to, current: status },
    );
  }
  if (!transition && change.expectStatus && status !== change.expectStatus) {
    return new TwisterError('INVALID_TRANSITION', `ticket ${ticketId} is ${status}, no longer ${change.expectStatus}`, {
      ticketId,
      from: change.expectStatus,
      current: status,
    });
  }
  if (owner !== null && current.heldBy !== null && current.heldBy !== owner) {
    return new TwisterError('TICKET_BUSY', `ticket ${ticketId} is being worked on by another process`, {
      ticketId,
      holder: current.heldBy,
    });
  }
  if (finishId && !current.hasExecution) {
    return new TwisterError('INTERNAL', `execution ${finishId} of ticket ${ticketId} does not exist`, {
      ticketId,
      executionId: finishId,
    });
  }
  return new TwisterError(
    'INVALID_TRANSITION',
    `ticket ${ticketId} changed while this change was applied; read it again`,
    { ticketId, current: status },
  );
}
