// Approvals on Drizzle (PGlite or PostgreSQL). Every status change is one compare-and-swap UPDATE, so two
// deciders racing on the same approval (or two workers consuming it) cannot both win.
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { InferSelectModel } from 'drizzle-orm';
import type { Approval, ApprovalFilter, ApprovalStatus } from '../../core/approval.ts';
import { approvals } from './schema.ts';
import type { StoreDatabase } from './ticket-store.ts';

type ApprovalRow = InferSelectModel<typeof approvals>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    ticketId: row.ticketId,
    executionId: row.executionId,
    stepIndex: row.stepIndex,
    stepHash: row.stepHash,
    status: row.status as ApprovalStatus,
    requestedBy: row.requestedBy,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt.toISOString(),
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listApprovals(db: StoreDatabase, filter: ApprovalFilter): Promise<Approval[]> {
  if (filter.ticketId !== undefined && !UUID.test(filter.ticketId)) return [];
  const rows = await db
    .select()
    .from(approvals)
    .where(
      and(
        filter.status ? eq(approvals.status, filter.status) : undefined,
        filter.ticketId ? eq(approvals.ticketId, filter.ticketId) : undefined,
        filter.executionId ? eq(approvals.executionId, filter.executionId) : undefined,
      ),
    )
    .orderBy(asc(approvals.createdAt), asc(approvals.stepIndex))
    .limit(filter.limit);
  return rows.map(toApproval);
}

export async function getApproval(db: StoreDatabase, id: string): Promise<Approval | null> {
  if (!UUID.test(id)) return null;
  const [row] = await db.select().from(approvals).where(eq(approvals.id, id));
  return row ? toApproval(row) : null;
}

export async function decideApproval(
  db: StoreDatabase,
  id: string,
  decision: { to: 'approved' | 'denied'; by: string; reason?: string },
): Promise<Approval | null> {
  if (!UUID.test(id)) return null;
  const [row] = await db
    .update(approvals)
    .set({ status: decision.to, decidedBy: decision.by, decidedAt: sql`now()`, reason: decision.reason ?? null })
    .where(and(eq(approvals.id, id), eq(approvals.status, 'pending'), gt(approvals.expiresAt, sql`now()`)))
    .returning();
  return row ? toApproval(row) : null;
}

export async function consumeApproval(db: StoreDatabase, id: string): Promise<boolean> {
  const rows = await db
    .update(approvals)
    .set({ status: 'consumed' })
    .where(and(eq(approvals.id, id), eq(approvals.status, 'approved')))
    .returning({ id: approvals.id });
  return rows.length > 0;
}

export async function closeApprovals(
  db: StoreDatabase,
  options: { executionId?: string; to: 'expired' | 'denied'; reason: string },
): Promise<Approval[]> {
  const which = options.executionId
    ? eq(approvals.executionId, options.executionId)
    : lte(approvals.expiresAt, sql`now()`);
  const rows = await db
    .update(approvals)
    .set({ status: options.to, decidedAt: sql`now()`, reason: options.reason })
    .where(and(eq(approvals.status, 'pending'), which))
    .returning();
  return rows.map(toApproval);
}
