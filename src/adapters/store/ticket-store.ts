// The store port on Drizzle: one class for PGlite and PostgreSQL. Every write is one statement (atomic
// through data-modifying CTEs), rows come back through RETURNING, and the hot statements are prepared once.
// Every free-text field and audit detail is redacted of secrets before it is written (core/secrets/stored-records).
import { and, asc, desc, eq, isNull, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Approval, ApprovalFilter } from '../../core/approval.ts';
import { TwisterError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { redactAuditEntries, redactNewTicket, redactTicketChange } from '../../core/secrets/stored-records.ts';
import type {
  AgentCatalogStore,
  AgentRecord,
  AuditEntry,
  AuditEvent,
  AuditFilter,
  Comment,
  ExecutionProgress,
  NewComment,
  NewTicket,
  Ticket,
  TicketChange,
  TicketDetail,
  TicketFilter,
  TicketGroupCount,
  TicketRepository,
} from '../../core/ticket-repository.ts';
import { assertTransitionPath, CLOSED_STATUSES, SETTLED_STATUSES, TICKET_STATUSES } from '../../core/ticket.ts';
import * as approvalRows from './approval-store.ts';
import * as commentRows from './comment-store.ts';
import { auditValues, toAuditEvent, toComment, toExecution, toRunningStep, toStep, toTicket } from './rows.ts';
import { ChangeWriter, explainMiss, type OutboxNote } from './apply-change.ts';
import { AuditBatcher } from './audit-batcher.ts';
import { eventsForChange } from '../../core/notifications/notification-events.ts';
import type { NotificationRouter } from '../../core/notifications/outbox.ts';
import { agents, auditEvents, comments, executions, steps, tickets } from './schema.ts';
import type { TicketOverview } from '../../core/overview.ts';
import { readOverview } from './overview-rows.ts';
import { guardStoreErrors, isUniqueViolation } from './store-errors.ts';
import { uuidV7 } from './uuid-v7.ts';

/** A Drizzle database on either driver (`drizzle-orm/pglite` or `drizzle-orm/node-postgres`). */
export type StoreDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

// Tickets the loop is done with for now: final, or waiting for their requester after a diagnosis found nothing.
const finalStatuses = [...SETTLED_STATUSES];

export class DrizzleTicketStore implements TicketRepository, AgentCatalogStore {
  private readonly changes: ChangeWriter;
  private readonly insertTicket;
  private readonly ticketById;
  private readonly ticketByKey;
  private readonly audit;
  private router: NotificationRouter | undefined;
  /**
   * The SQL of intake's statement (a new ticket and its `ticket.created` row): the embedded store runs it ahead of
   * the statements of tickets being processed, so a burst of processing never makes intake wait.
   */
  readonly intakeSql: string;

  constructor(private readonly db: StoreDatabase) {
    this.changes = new ChangeWriter(db);
    this.audit = new AuditBatcher(db);
    const insert = insertTicketQuery(db);
    this.insertTicket = insert.prepare('tl_create_ticket');
    this.intakeSql = insert.toSQL().sql;
    this.ticketById = db
      .select()
      .from(tickets)
      .where(eq(tickets.id, sql.placeholder('id')))
      .prepare('tl_ticket_by_id');
    this.ticketByKey = db
      .select()
      .from(tickets)
      .where(eq(tickets.idempotencyKey, sql.placeholder('key')))
      .prepare('tl_ticket_by_key');
  }

  /** From now on every status change also writes the outbox rows of the channels that want it, in the same statement. */
  routeNotifications(router: NotificationRouter | undefined): void {
    this.router = router;
  }

  private notesFor(change: TicketChange): OutboxNote[] {
    const router = this.router;
    if (!router) return [];
    return eventsForChange(change).flatMap(({ event, details }) =>
      router.targets(event).map((t) => ({
        id: uuidV7(),
        channel: t.channel,
        event,
        details,
        categories: t.categories && t.categories.length > 0 ? t.categories : null,
        priorities: t.priorities && t.priorities.length > 0 ? t.priorities : null,
        callback: t.onlyWithCallback === true,
      })),
    );
  }

  create(given: NewTicket): Promise<{
    ticket: Ticket;
    created: boolean;
    requestHash: string | null;
    heldBy?: 'idempotency_key' | 'external_id';
  }> {
    const input = redactNewTicket(given);
    return guardStoreErrors(async () => {
      const [inserted] = await this.insertTicket.execute({
        id: uuidV7(),
        description: input.description,
        requester: input.requester,
        source: input.source,
        dryRun: input.dryRun,
        context: input.context,
        key: input.idempotencyKey ?? null,
        hash: input.requestHash ?? null,
        title: input.title ?? null,
        externalId: input.externalId ?? null,
        reporter: input.reporter ?? null,
        labels: input.labels ?? [],
        callbackUrl: input.callbackUrl ?? null,
      });
      if (inserted) return { ticket: toTicket(inserted), created: true, requestHash: inserted.requestHash };
      const [existing] = input.idempotencyKey ? await this.ticketByKey.execute({ key: input.idempotencyKey }) : [];
      if (existing)
        return {
          ticket: toTicket(existing),
          created: false,
          requestHash: existing.requestHash,
          heldBy: 'idempotency_key',
        };
      const open = input.externalId ? await this.findByExternalId(input.source, input.externalId) : null;
      if (!open)
        throw new TwisterError('INTERNAL', 'a new ticket conflicted but no ticket holds its key or external id');
      return { ticket: open, created: false, requestHash: null, heldBy: 'external_id' };
    });
  }

  findByExternalId(
    source: string,
    externalId: string,
    options: { includeClosed?: boolean } = {},
  ): Promise<Ticket | null> {
    return guardStoreErrors(async () => {
      const [row] = await this.db
        .select()
        .from(tickets)
        .where(
          and(
            eq(tickets.source, source),
            eq(tickets.externalId, externalId),
            options.includeClosed ? undefined : notInArray(tickets.status, [...CLOSED_STATUSES]),
          ),
        )
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
        .limit(1);
      return row ? toTicket(row) : null;
    });
  }

  addComment(ticketId: string, comment: NewComment): Promise<Comment | null> {
    return guardStoreErrors(() => commentRows.addComment(this.db, ticketId, comment));
  }

  listComments(ticketId: string): Promise<Comment[]> {
    return guardStoreErrors(() => commentRows.listComments(this.db, ticketId));
  }

  get(id: string): Promise<Ticket | null> {
    return guardStoreErrors(async () => {
      const [row] = await this.ticketById.execute({ id });
      return row ? toTicket(row) : null;
    });
  }

  // One read-only snapshot, so the ticket, its steps and its audit trail agree with each other.
  getDetail(id: string): Promise<TicketDetail | null> {
    return guardStoreErrors(() =>
      this.db.transaction(
        async (tx) => {
          const [row] = await tx.select().from(tickets).where(eq(tickets.id, id));
          if (!row) return null;
          const executionRows = await tx
            .select()
            .from(executions)
            .where(eq(executions.ticketId, id))
            .orderBy(asc(executions.createdAt), asc(executions.id));
          const stepRows = await tx
            .select({ step: steps })
            .from(steps)
            .innerJoin(executions, eq(executions.id, steps.executionId))
            .where(and(eq(steps.ticketId, id), ne(steps.status, 'running')))
            .orderBy(asc(executions.createdAt), asc(steps.executionId), asc(steps.idx));
          const auditRows = await tx
            .select()
            .from(auditEvents)
            .where(eq(auditEvents.ticketId, id))
            .orderBy(asc(auditEvents.id));
          const commentRows = await tx
            .select()
            .from(comments)
            .where(eq(comments.ticketId, id))
            .orderBy(asc(comments.id));
          return {
            ticket: toTicket(row),
            executions: executionRows.map(toExecution),
            steps: stepRows.map((r) => toStep(r.step)),
            audit: auditRows.map(toAuditEvent),
            comments: commentRows.map(toComment),
          };
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      ),
    );
  }

  list(filter: TicketFilter): Promise<{ items: Ticket[]; total: number }> {
    return guardStoreErrors(async () => {
      const where = and(
        filter.status ? eq(tickets.status, filter.status) : undefined,
        filter.category ? eq(tickets.category, filter.category) : undefined,
        filter.priority ? eq(tickets.priority, filter.priority) : undefined,
        filter.source ? eq(tickets.source, filter.source) : undefined,
        filter.externalId ? eq(tickets.externalId, filter.externalId) : undefined,
        filter.assignee ? eq(tickets.assignee, filter.assignee) : undefined,
        filter.label ? sql`${tickets.labels} @> ${JSON.stringify([filter.label])}::jsonb` : undefined,
      );
      const [rows, [totalRow]] = await Promise.all([
        this.db
          .select()
          .from(tickets)
          .where(where)
          .orderBy(desc(tickets.createdAt), desc(tickets.id))
          .limit(filter.limit)
          .offset(filter.offset),
        this.db
          .select({ total: sql<number>`count(*)::int` })
          .from(tickets)
          .where(where),
      ]);
      return { items: rows.map(toTicket), total: totalRow?.total ?? 0 };
    });
  }

  // Running steps included: one read-only snapshot of the latest execution, its step rows and the lease.
  getProgress(ticketId: string): Promise<ExecutionProgress | null> {
    return guardStoreErrors(() =>
      this.db.transaction(
        async (tx) => {
          const [lease] = await tx
            .select({
              owner: tickets.leaseOwner,
              until: tickets.leaseUntil,
              live: sql<boolean>`coalesce(${tickets.leaseUntil} >= now(), false)`,
            })
            .from(tickets)
            .where(eq(tickets.id, ticketId));
          const [execution] = await tx
            .select()
            .from(executions)
            .where(eq(executions.ticketId, ticketId))
            .orderBy(desc(executions.createdAt), desc(executions.id))
            .limit(1);
          if (!lease || !execution) return null;
          const rows = await tx.select().from(steps).where(eq(steps.executionId, execution.id)).orderBy(asc(steps.idx));
          return {
            execution: toExecution(execution),
            steps: rows.filter((r) => r.status !== 'running').map(toStep),
            running: rows.filter((r) => r.status === 'running').map(toRunningStep),
            lease: { owner: lease.owner, until: lease.until?.toISOString() ?? null, live: lease.live },
          };
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      ),
    );
  }

  renewLease(ticketId: string, owner: string, ms: number): Promise<boolean> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .update(tickets)
        .set({ leaseUntil: sql`now() + ${ms}::integer * interval '1 millisecond'` })
        .where(and(eq(tickets.id, ticketId), eq(tickets.leaseOwner, owner)))
        .returning({ id: tickets.id });
      return rows.length > 0;
    });
  }

  async apply(ticketId: string, given: TicketChange): Promise<Ticket> {
    const change = redactTicketChange(given);
    if (change.transition)
      assertTransitionPath(change.transition.from, change.transition.via ?? [], change.transition.to);
    return await guardStoreErrors(async () => {
      let row;
      try {
        row = await this.changes.apply(ticketId, change, this.notesFor(change));
      } catch (error) {
        const claim = change.claimStep;
        if (!claim || !isUniqueViolation(error, 'steps_idempotency_key_unique')) throw error;
        throw new TwisterError(
          'TICKET_BUSY',
          `step ${claim.index} of execution ${claim.executionId} was claimed already`,
          {
            ticketId,
            executionId: claim.executionId,
            index: claim.index,
          },
        );
      }
      if (!row) throw await explainMiss(this.db, ticketId, change);
      return toTicket(row);
    });
  }

  /**
   * Audit rows from many callers (every command run writes one) share statements: rows that arrive while an insert
   * is in flight go together in the next one. Each caller's promise settles when its own rows are committed.
   */
  appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.audit.append(redactAuditEntries(entries).map(auditValues));
  }

  listAudit(filter: AuditFilter): Promise<AuditEvent[]> {
    return guardStoreErrors(async () => {
      const byTicket =
        filter.ticketId === null
          ? isNull(auditEvents.ticketId)
          : filter.ticketId !== undefined
            ? eq(auditEvents.ticketId, filter.ticketId)
            : undefined;
      const rows = await this.db
        .select()
        .from(auditEvents)
        .where(
          and(
            byTicket,
            filter.actor !== undefined ? eq(auditEvents.actor, filter.actor) : undefined,
            filter.action !== undefined ? eq(auditEvents.action, filter.action) : undefined,
            filter.beforeId !== undefined ? lt(auditEvents.id, filter.beforeId) : undefined,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(filter.limit);
      return rows.map(toAuditEvent);
    });
  }

  listUnfinished(limit: number): Promise<Ticket[]> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .select()
        .from(tickets)
        .where(notInArray(tickets.status, finalStatuses))
        .orderBy(asc(tickets.createdAt), asc(tickets.id))
        .limit(limit);
      return rows.map(toTicket);
    });
  }

  listAwaitingWork(options: { limit: number; idleMs: number }): Promise<string[]> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .select({ id: tickets.id })
        .from(tickets)
        .where(
          and(
            notInArray(tickets.status, finalStatuses),
            sql`${tickets.updatedAt} <= now() - ${options.idleMs} * interval '1 millisecond'`,
            sql`not (${tickets.status} = 'planned' and ${tickets.dryRun})`,
            sql`(${tickets.leaseUntil} is null or ${tickets.leaseUntil} < now())`,
            sql`(${tickets.status} <> 'awaiting_approval' or not exists (select 1 from approvals a where a.ticket_id = ${tickets.id} and a.status <> 'approved'))`,
          ),
        )
        .orderBy(asc(tickets.updatedAt), asc(tickets.id))
        .limit(options.limit);
      return rows.map((r) => r.id);
    });
  }

  /** Every status is present, with 0 when no ticket has it, so gauges built on it never go missing. */
  countByStatus(): Promise<Record<string, number>> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .select({ status: tickets.status, n: sql<number>`count(*)::int` })
        .from(tickets)
        .groupBy(tickets.status);
      const counts: Record<string, number> = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0]));
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    });
  }

  countByGroup(): Promise<TicketGroupCount[]> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .select({
          status: tickets.status,
          category: tickets.category,
          priority: tickets.priority,
          n: sql<number>`count(*)::int`,
        })
        .from(tickets)
        .groupBy(tickets.status, tickets.category, tickets.priority);
      return rows.map(
        (r) =>
          ({ status: r.status, category: r.category, priority: r.priority, count: Number(r.n) }) as TicketGroupCount,
      );
    });
  }

  overview(): Promise<TicketOverview> {
    return guardStoreErrors(() => readOverview(this.db));
  }

  ping(): Promise<void> {
    return guardStoreErrors(async () => {
      await this.db.execute(sql`select 1`);
    });
  }

  listApprovals(filter: ApprovalFilter): Promise<Approval[]> {
    return guardStoreErrors(() => approvalRows.listApprovals(this.db, filter));
  }

  getApproval(id: string): Promise<Approval | null> {
    return guardStoreErrors(() => approvalRows.getApproval(this.db, id));
  }

  decideApproval(
    id: string,
    decision: { to: 'approved' | 'denied'; by: string; reason?: string },
  ): Promise<Approval | null> {
    const shown = decision.reason === undefined ? decision : { ...decision, reason: redactSecrets(decision.reason) };
    return guardStoreErrors(() => approvalRows.decideApproval(this.db, id, shown));
  }

  consumeApproval(id: string): Promise<boolean> {
    return guardStoreErrors(() => approvalRows.consumeApproval(this.db, id));
  }

  closeApprovals(options: { executionId?: string; to: 'expired' | 'denied'; reason: string }): Promise<Approval[]> {
    return guardStoreErrors(() =>
      approvalRows.closeApprovals(this.db, { ...options, reason: redactSecrets(options.reason) }),
    );
  }

  upsertAgents(records: AgentRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return guardStoreErrors(async () => {
      await this.db
        .insert(agents)
        .values(records.map((a) => ({ id: a.id, description: a.description, capabilities: a.capabilities })))
        .onConflictDoUpdate({
          target: agents.id,
          set: {
            description: sql`excluded.description`,
            capabilities: sql`excluded.capabilities`,
            updatedAt: sql`now()`,
          },
        });
    });
  }
}

// One statement: the ticket and its `ticket.created` audit row are written together or not at all, and
// a known idempotency key inserts neither (the CTE returns no row).
function insertTicketQuery(db: StoreDatabase) {
  const p = (name: string) => sql.placeholder(name);
  const ins = db.$with('ins').as(
    db
      .insert(tickets)
      .values({
        id: p('id'),
        status: 'new',
        description: p('description'),
        requester: p('requester'),
        source: p('source'),
        dryRun: p('dryRun'),
        context: p('context'),
        idempotencyKey: p('key'),
        requestHash: p('hash'),
        title: p('title'),
        externalId: p('externalId'),
        reporter: p('reporter'),
        labels: p('labels'),
        callbackUrl: p('callbackUrl'),
        // No target: a known idempotency key and an external id an open ticket of the source holds both insert nothing.
      })
      .onConflictDoNothing()
      .returning(),
  );
  const audit = db.$with('audit', { id: sql<number>`id` }).as(sql`
    insert into audit_events (ticket_id, actor, action, to_status)
    select id, requester, 'ticket.created', status from ins returning id`);
  return db.with(ins, audit).select().from(ins);
}
