// listAwaitingWork, the reconciler's query, on real PGlite and PostgreSQL 15: which unfinished tickets a worker
// should take up, and which it must leave alone (done, a finished dry run, held by a live lease, waiting for a
// human, changed too recently).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgliteBackend, postgresBackend, type TestStore } from './backends.ts';
import { newTicket, plan } from './fixtures.ts';

describe.each([pgliteBackend(), postgresBackend()])('tickets awaiting work on $name', (backend) => {
  let t: TestStore;
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    t = await backend.fresh();
  });
  afterEach(() => t.close());

  /** A ticket put straight into a state, last changed `agoMs` ago. */
  async function ticketIn(
    status: string,
    options: { agoMs?: number; dryRun?: boolean; leaseMs?: number } = {},
  ): Promise<string> {
    const { ticket } = await t.store.create(newTicket({ dryRun: options.dryRun ?? false }));
    const lease = options.leaseMs === undefined ? 'null' : `now() + interval '${options.leaseMs} milliseconds'`;
    await t.query(`update tickets set status = '${status}', lease_owner = ${options.leaseMs === undefined ? 'null' : "'w1'"}, lease_until = ${lease},
      updated_at = now() - interval '${options.agoMs ?? 60_000} milliseconds' where id = '${ticket.id}'`);
    return ticket.id;
  }

  async function withApprovals(ticketId: string, statuses: string[]): Promise<void> {
    const executionId = randomUUID();
    await t.query(
      `insert into executions (id, ticket_id, dry_run, plan) values ('${executionId}', '${ticketId}', false, '${JSON.stringify(plan)}')`,
    );
    for (const [i, status] of statuses.entries()) {
      await t.query(`insert into approvals (id, ticket_id, execution_id, step_index, step_hash, status, requested_by, expires_at)
        values ('${randomUUID()}', '${ticketId}', '${executionId}', ${i}, 'h', '${status}', 'alice', now() + interval '1 hour')`);
    }
  }

  it('lists tickets a worker should take up, least recently changed first, and leaves the others', async () => {
    const fresh = await ticketIn('new', { agoMs: 50_000 });
    const triaged = await ticketIn('triaged', { agoMs: 40_000 });
    const planned = await ticketIn('planned', { agoMs: 30_000 });
    const orphaned = await ticketIn('executing', { agoMs: 20_000, leaseMs: -1_000 });
    const verifying = await ticketIn('verifying', { agoMs: 15_000 });
    const approved = await ticketIn('awaiting_approval', { agoMs: 10_000 });
    await withApprovals(approved, ['approved', 'approved']);
    const oldest = await ticketIn('new', { agoMs: 90_000 });
    // Left alone:
    await ticketIn('resolved');
    await ticketIn('escalated');
    await ticketIn('failed');
    await ticketIn('planned', { dryRun: true });
    await ticketIn('executing', { leaseMs: 10_000 });
    const waiting = await ticketIn('awaiting_approval');
    await withApprovals(waiting, ['approved', 'pending']);
    const denied = await ticketIn('awaiting_approval');
    await withApprovals(denied, ['denied']);

    expect(await t.store.listAwaitingWork({ limit: 100, idleMs: 0 })).toEqual([
      oldest,
      fresh,
      triaged,
      planned,
      orphaned,
      verifying,
      approved,
    ]);
    expect(await t.store.listAwaitingWork({ limit: 2, idleMs: 0 })).toEqual([oldest, fresh]);
  });

  it('skips tickets changed within idleMs', async () => {
    const old = await ticketIn('new', { agoMs: 10_000 });
    await ticketIn('new', { agoMs: 100 });
    expect(await t.store.listAwaitingWork({ limit: 100, idleMs: 5_000 })).toEqual([old]);
    expect(await t.store.listAwaitingWork({ limit: 100, idleMs: 0 })).toHaveLength(2);
  });
});
