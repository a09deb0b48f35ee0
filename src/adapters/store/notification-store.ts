// The notifications outbox on Drizzle (PGlite and PostgreSQL). Rows are claimed under FOR UPDATE SKIP LOCKED with
// a lease, so several API and worker processes share the work and a process that dies mid-delivery only delays
// its rows until the lease lapses. Every update after a claim checks the claim's owner.
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { NotificationEvent } from '../../core/notifications/notification-events.ts';
import type { DeliveryStatus, NotificationOutbox, OutboxEntry, OutboxTarget } from '../../core/notifications/outbox.ts';
import { redactSecrets } from '../../core/redaction.ts';
import { notifications } from './schema.ts';
import { guardStoreErrors } from './store-errors.ts';
import type { StoreDatabase } from './ticket-store.ts';

type Row = typeof notifications.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toEntry(row: Row): OutboxEntry {
  return {
    id: row.id,
    ticketId: row.ticketId,
    channel: row.channel,
    event: row.event as NotificationEvent,
    idempotencyKey: row.idempotencyKey,
    payload: row.payload as OutboxEntry['payload'],
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export class DrizzleNotificationOutbox implements NotificationOutbox {
  constructor(private readonly db: StoreDatabase) {}

  claim(options: { owner: string; limit: number; leaseMs: number }): Promise<OutboxEntry[]> {
    return guardStoreErrors(async () => {
      const due = this.db
        .select({ id: notifications.id })
        .from(notifications)
        .where(
          and(
            eq(notifications.status, 'pending'),
            lte(notifications.nextAttemptAt, sql`now()`),
            or(isNull(notifications.leaseUntil), lt(notifications.leaseUntil, sql`now()`)),
          ),
        )
        .orderBy(asc(notifications.nextAttemptAt), asc(notifications.id))
        .limit(options.limit)
        .for('update', { skipLocked: true });
      const rows = await this.db
        .update(notifications)
        .set({
          attempts: sql`${notifications.attempts} + 1`,
          leaseOwner: options.owner,
          leaseUntil: sql`now() + ${options.leaseMs}::integer * interval '1 millisecond'`,
        })
        .where(and(inArray(notifications.id, due), eq(notifications.status, 'pending')))
        .returning();
      return rows
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id))
        .map(toEntry);
    });
  }

  delivered(id: string, owner: string): Promise<boolean> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .update(notifications)
        .set({ status: 'delivered', deliveredAt: sql`now()`, leaseOwner: null, leaseUntil: null, lastError: null })
        .where(and(eq(notifications.id, id), eq(notifications.leaseOwner, owner), eq(notifications.status, 'pending')))
        .returning({ id: notifications.id });
      return rows.length > 0;
    });
  }

  failed(id: string, owner: string, error: string, retryAt: Date | null): Promise<boolean> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .update(notifications)
        .set({
          status: retryAt ? 'pending' : 'failed',
          ...(retryAt ? { nextAttemptAt: retryAt } : {}),
          lastError: redactSecrets(error).slice(0, 1_000),
          leaseOwner: null,
          leaseUntil: null,
        })
        .where(and(eq(notifications.id, id), eq(notifications.leaseOwner, owner), eq(notifications.status, 'pending')))
        .returning({ id: notifications.id });
      return rows.length > 0;
    });
  }

  listForTicket(ticketId: string): Promise<OutboxEntry[]> {
    return guardStoreErrors(async () => {
      const rows = await this.db
        .select()
        .from(notifications)
        .where(eq(notifications.ticketId, ticketId))
        .orderBy(asc(notifications.createdAt), asc(notifications.id));
      return rows.map(toEntry);
    });
  }

  // One row per approval and channel, ever: the key names both, and a second pass finds it taken.
  enqueueExpiringApprovals(options: { withinMs: number; targets: readonly OutboxTarget[] }): Promise<number> {
    if (options.targets.length === 0) return Promise.resolve(0);
    const targets = JSON.stringify(
      options.targets.map((t) => ({
        channel: t.channel,
        categories: t.categories && t.categories.length > 0 ? t.categories : null,
        priorities: t.priorities && t.priorities.length > 0 ? t.priorities : null,
      })),
    );
    return guardStoreErrors(async () => {
      const result = await this.db.execute(sql`
        insert into notifications (id, ticket_id, channel, event, idempotency_key, payload)
        select gen_random_uuid(), t.id, c.channel, 'approval.expiring', 'approval.expiring:' || a.id::text || ':' || c.channel,
          jsonb_build_object(
            'ticket', to_jsonb(t) - 'lease_owner' - 'lease_until' - 'request_hash' - 'analysis' - 'idempotency_key',
            'details', jsonb_build_object('approval', jsonb_build_object('id', a.id, 'stepIndex', a.step_index,
              'expiresAt', a.expires_at, 'capability', s.step->>'capability', 'description', s.step->>'description',
              'risk', s.step->>'risk', 'why', s.step->>'decisionReason')))
        from approvals a
          join tickets t on t.id = a.ticket_id
          join executions e on e.id = a.execution_id
          left join lateral (select x as step from jsonb_array_elements(e.plan->'steps') x
            where (x->>'index')::integer = a.step_index limit 1) s on true
          cross join jsonb_to_recordset(${targets}::jsonb) as c(channel text, categories jsonb, priorities jsonb)
        where a.status = 'pending' and a.expires_at > now()
          and a.expires_at <= now() + ${options.withinMs}::integer * interval '1 millisecond'
          and (c.categories is null or c.categories @> to_jsonb(t.category))
          and (c.priorities is null or c.priorities @> to_jsonb(t.priority))
        on conflict (idempotency_key) do nothing
        returning id`);
      return (result as unknown as { rows: unknown[] }).rows.length;
    });
  }
}
