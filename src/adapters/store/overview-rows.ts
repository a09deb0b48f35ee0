// The overview's figures in three grouped reads (SQL that PostgreSQL 15 and PGlite both accept).
import { count, eq, isNotNull, sql } from 'drizzle-orm';
import type { TicketOverview } from '../../core/overview.ts';
import { approvals, tickets } from './schema.ts';
import type { StoreDatabase } from './ticket-store.ts';

export async function readOverview(db: StoreDatabase): Promise<TicketOverview> {
  const [statuses, outcomes, pending, resolution] = await Promise.all([
    db.select({ key: tickets.status, n: count() }).from(tickets).groupBy(tickets.status),
    db
      .select({ key: tickets.outcome, n: count() })
      .from(tickets)
      .where(isNotNull(tickets.outcome))
      .groupBy(tickets.outcome),
    db.select({ n: count() }).from(approvals).where(eq(approvals.status, 'pending')),
    db
      .select({
        n: count(),
        median: sql<
          number | null
        >`percentile_cont(0.5) within group (order by extract(epoch from ${tickets.resolvedAt} - ${tickets.createdAt}) * 1000)`,
        p90: sql<
          number | null
        >`percentile_cont(0.9) within group (order by extract(epoch from ${tickets.resolvedAt} - ${tickets.createdAt}) * 1000)`,
      })
      .from(tickets)
      .where(isNotNull(tickets.resolvedAt)),
  ]);
  const round = (v: number | string | null | undefined) =>
    v === null || v === undefined ? null : Math.round(Number(v));
  return {
    tickets: statuses.reduce((sum, r) => sum + Number(r.n), 0),
    byStatus: Object.fromEntries(statuses.map((r) => [r.key, Number(r.n)])),
    byOutcome: Object.fromEntries(outcomes.map((r) => [r.key!, Number(r.n)])),
    approvalsPending: Number(pending[0]?.n ?? 0),
    resolution: {
      count: Number(resolution[0]?.n ?? 0),
      medianMs: round(resolution[0]?.median),
      p90Ms: round(resolution[0]?.p90),
    },
  };
}
