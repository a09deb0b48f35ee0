// Scenarios on a real PostgreSQL database: (1) a session holding a lock that blocks the others is found and
// ended, and queries are fast again; (5) terminating sessions idle in a transaction is destructive, so it waits
// for an admin's approval, runs once approved, and an approval left to expire escalates the ticket.
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRunbooks } from '../../src/adapters/runbooks/runbook-files.ts';
import { waitForTicket } from '../helpers/test-runtime.ts';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';
import { fileAndWait, fileTicket, startScenario, statusTrail, stepOutput, stepTrail, type Scenario } from './scenario-kit.ts';

let database: string;
let url: string;
const clients: Client[] = [];

async function session(name: string): Promise<{ client: Client; pid: number }> {
  const client = new Client({ connectionString: url, application_name: name });
  client.on('error', () => undefined); // a terminated session errors; that is the point
  await client.connect();
  clients.push(client);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

/** Rows of a query on the server, from a connection of its own (the `postgres` database). */
async function rows(text: string, values: unknown[] = []): Promise<unknown[]> {
  const admin = new Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    return (await admin.query(text, values)).rows;
  } finally {
    await admin.end();
  }
}

const alive = async (pid: number) => (await rows('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  database = randomDatabaseName('scenario_db');
  await adminQuery(`CREATE DATABASE ${database}`);
  url = `${POSTGRES_SERVER}/${database}`;
  const setup = new Client({ connectionString: url });
  await setup.connect();
  await setup.query('CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL); INSERT INTO orders (total) SELECT g FROM generate_series(1, 1000) g');
  await setup.end();
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.end()));
});

afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('scenario 1: a session holding a lock blocks the others', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario([{ name: 'orders-db', url, category: 'database' }]);
  });
  afterAll(async () => s?.close());

  it('finds the blocker, ends it, verifies nothing waits and the database answers fast, and resolves', async () => {
    // A transaction left open after locking the table: every reader now waits behind it.
    const blocker = await session('reporting-job');
    await blocker.client.query('BEGIN');
    await blocker.client.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    const reader = await session('shop');
    const waiting = reader.client.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    await until('the shop query to wait on the lock', async () => (await rows(
      "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [reader.pid],
    )).length > 0);

    const detail = await fileAndWait(s.rt.app, 'The orders-db database is extremely slow: every query from the shop hangs and times out since 10 minutes');

    expect(detail.ticket.status).toBe('resolved');
    expect(detail.executions.at(-1)!.plan.runbookId).toBe('slow-database');
    expect(stepTrail(detail)).toEqual([
      ['diagnose', 'database.find_blocking_queries', 'succeeded'],
      ['fix', 'database.end_blocking_sessions', 'succeeded'],
      ['verify', 'database.find_blocking_queries', 'succeeded'],
      ['verify', 'monitoring.check_service_health', 'succeeded'],
    ]);
    const found = stepOutput<{ blocked_count: number; blocker_pids: number[] }>(detail, 'database.find_blocking_queries', 'diagnose');
    expect(found).toMatchObject({ blocked_count: 1, blocker_pids: [blocker.pid] });
    // The fix ran with the pid the diagnosis found (a template filled at run time), and terminated it: a cancel
    // does not end a transaction that is idle.
    const fix = detail.steps.find((s) => s.phase === 'fix')!;
    expect(fix.params).toMatchObject({ pids: [blocker.pid], mode: 'cancel_then_terminate' });
    expect(fix.output).toMatchObject({ ended: [{ pid: blocker.pid, how: 'terminated' }], still_blocked: 0 });

    // The blocker is gone, the waiting query went through, and a new one is fast.
    expect(await alive(blocker.pid)).toBe(false);
    expect((await waiting).rows[0]!.n).toBe('1000');
    const started = performance.now();
    await reader.client.query('SELECT count(*) FROM orders');
    expect(performance.now() - started).toBeLessThan(1000);

    expect(detail.ticket.resolutionNote).toMatch(/^Fixed and verified \(runbook slow-database\): .*blocked_count eq 0/);
    expect(statusTrail(detail)).toEqual(['triaged', 'planned', 'executing', 'verifying', 'resolved']);
    expect(detail.audit.some((a) => a.action === 'step.succeeded' && (a.details as { capability?: string }).capability === 'database.end_blocking_sessions')).toBe(true);
  });

  it('ends nothing when nothing blocks: the fix is skipped and the ticket resolved as needing no change', async () => {
    const idle = await session('idle-app');
    const detail = await fileAndWait(s.rt.app, 'orders-db feels slow today, queries hang sometimes');
    expect(detail.ticket.status).toBe('resolved');
    expect(stepTrail(detail)).toContainEqual(['fix', 'database.end_blocking_sessions', 'skipped']);
    expect(detail.steps.find((st) => st.phase === 'fix')!.output).toEqual({ skipped: 'skipped: steps.find.blocked_count gt 0 (was 0) does not hold' });
    expect(detail.ticket.resolutionNote).toMatch(/^Verified, no change was needed \(runbook slow-database\)/);
    expect(await alive(idle.pid)).toBe(true);
  });
});

describe('scenario 5: a destructive step waits for an approval', () => {
  const KEYS = { alice: 'alice-key-000000000001', bob: 'bob-admin-key-00000002' };
  let s: Scenario;
  beforeAll(async () => {
    // The shipped runbook, with the idle threshold a test can wait for (10 minutes by default).
    const runbooks = loadBuiltinRunbooks().map((r) => (r.id === 'database-connections'
      ? { ...r, parameters: { ...r.parameters, idle_ms: { ...r.parameters!.idle_ms!, default: 1000 } } }
      : r));
    s = await startScenario([{ name: 'orders-db', url, category: 'database' }], {
      TWISTERLAB_API_KEYS: `alice:operator:${KEYS.alice},bob:admin:${KEYS.bob}`, TWISTERLAB_APPROVAL_TTL_MS: '4000',
    }, { runbooks });
  });
  afterAll(async () => s?.close());

  async function idleInTransaction(name: string) {
    const held = await session(name);
    await held.client.query('BEGIN');
    await held.client.query('SELECT count(*) FROM orders');
    return held;
  }

  async function fileAndAwaitApproval(): Promise<{ ticketId: string; approvalId: string }> {
    const ticketId = await fileTicket(s.rt.app, 'orders-db: the shop gets "too many clients" errors, the connection pool is exhausted', { 'x-api-key': KEYS.alice });
    await until('the ticket to wait for approval', async () => (await s.rt.runtime.opened.store.get(ticketId))!.status === 'awaiting_approval');
    const list = await s.rt.app.inject({ method: 'GET', url: `/api/v1/approvals?status=pending&ticketId=${ticketId}`, headers: { 'x-api-key': KEYS.bob } });
    const items = (list.json() as { items: Array<{ id: string; stepIndex: number }> }).items;
    expect(items).toHaveLength(1);
    return { ticketId, approvalId: items[0]!.id };
  }

  it('runs nothing until an admin other than the requester approves, then terminates the sessions and resolves', async () => {
    const first = await idleInTransaction('forgotten-tx-1');
    const second = await idleInTransaction('forgotten-tx-2');
    await new Promise((r) => setTimeout(r, 1200));
    const { ticketId, approvalId } = await fileAndAwaitApproval();
    const plan = (await s.rt.runtime.opened.store.getDetail(ticketId))!.executions.at(-1)!.plan;
    expect(plan.runbookId).toBe('database-connections');
    expect(plan.steps.find((st) => st.phase === 'fix')).toMatchObject({ risk: 'destructive', decision: 'needs_approval' });
    expect(await alive(first.pid)).toBe(true);

    const byRequester = await s.rt.app.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/approve`, headers: { 'x-api-key': KEYS.alice } });
    expect(byRequester.statusCode).toBe(403);
    const approved = await s.rt.app.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/approve`, headers: { 'x-api-key': KEYS.bob } });
    expect(approved.statusCode).toBe(200);

    const detail = await waitForTicket(s.rt.app, ticketId, 30_000, { 'x-api-key': KEYS.bob });
    expect(detail.ticket.status).toBe('resolved');
    const fix = detail.steps.find((st) => st.phase === 'fix')!;
    expect((fix.output as { terminated: number[] }).terminated).toEqual(expect.arrayContaining([first.pid, second.pid]));
    expect(await alive(first.pid)).toBe(false);
    expect(await alive(second.pid)).toBe(false);
    const executing = detail.audit.find((a) => a.action === 'ticket.status_changed' && a.toStatus === 'executing');
    expect(executing?.details).toMatchObject({ approvedBy: ['bob'] });
    expect(statusTrail(detail)).toEqual(['triaged', 'planned', 'awaiting_approval', 'executing', 'verifying', 'resolved']);
  });

  it('escalates when the approval expires, and nothing runs', async () => {
    const held = await idleInTransaction('forgotten-tx-3');
    await new Promise((r) => setTimeout(r, 1200));
    const { ticketId, approvalId } = await fileAndAwaitApproval();
    const detail = await waitForTicket(s.rt.app, ticketId, 20_000, { 'x-api-key': KEYS.bob });
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toMatch(/expired/);
    expect(detail.steps.filter((st) => st.phase === 'fix')).toEqual([]);
    expect(await alive(held.pid)).toBe(true);
    const late = await s.rt.app.inject({ method: 'POST', url: `/api/v1/approvals/${approvalId}/approve`, headers: { 'x-api-key': KEYS.bob } });
    expect(late.statusCode).toBe(409);
  });
});
