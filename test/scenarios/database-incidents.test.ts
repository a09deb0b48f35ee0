// Scenarios on a real PostgreSQL database: (1) a session holding a lock that blocks the others is found and
// ended, and queries are fast again; (5) terminating sessions idle in a transaction is destructive, so it waits
// for an admin's approval, runs once approved, and an approval left to expire escalates the ticket.
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinRunbooks } from '../../src/adapters/runbooks/runbook-files.ts';
import { waitForTicket } from '../helpers/test-runtime.ts';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import {
  fileAndWait,
  fileTicket,
  phaseTrail,
  startScenario,
  statusTrail,
  stepOutput,
  type Scenario,
} from './scenario-kit.ts';

let database: string;
let url: string;
const clients: Client[] = [];

async function session(name: string, connectionString = url): Promise<{ client: Client; pid: number }> {
  const client = new Client({ connectionString, application_name: name });
  client.on('error', () => undefined); // a terminated session errors; that is the point
  await client.connect();
  clients.push(client);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

/** Rows of a query on the server, from a connection of its own (the `postgres` database). */
async function rows(text: string, values: unknown[] = [], server = `${POSTGRES_SERVER}/postgres`): Promise<unknown[]> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    return (await admin.query(text, values)).rows;
  } finally {
    await admin.end();
  }
}

const alive = async (pid: number, server?: string) =>
  (await rows('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid], server)).length > 0;

/** Polls until the check holds; `what` names the wait. Bounded only by the test's own timeout. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  database = randomDatabaseName('scenario_db');
  await adminQuery(`CREATE DATABASE ${database}`);
  url = `${POSTGRES_SERVER}/${database}`;
  const setup = new Client({ connectionString: url });
  await setup.connect();
  await setup.query(
    'CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL); INSERT INTO orders (total) SELECT g FROM generate_series(1, 1000) g',
  );
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

  it("finds the blocker, ends it, verifies nothing waits and no lock is left in a new reader's path, and resolves", async () => {
    // A transaction left open after locking the table: every reader now waits behind it.
    const blocker = await session('reporting-job');
    await blocker.client.query('BEGIN');
    await blocker.client.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    const reader = await session('shop');
    const waiting = reader.client.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    await until(
      'the shop query to wait on the lock',
      async () =>
        (await rows("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [reader.pid]))
          .length > 0,
    );

    const detail = await fileAndWait(
      s.rt.app,
      'The orders-db database is extremely slow: every query from the shop hangs and times out since 10 minutes',
    );

    expect(detail.ticket.status).toBe('resolved');
    expect(detail.ticket.outcome).toBe('verified_fix');
    expect(detail.executions.at(-1)!.plan.runbookId).toBe('slow-database');
    // Diagnosed broadly (every check of the runbooks on a PostgreSQL service), fixed narrowly.
    expect(phaseTrail(detail, 'diagnose')).toEqual(
      expect.arrayContaining([
        ['database.find_blocking_queries', 'succeeded'],
        ['database.connection_usage', 'succeeded'],
        ['monitoring.check_service_health', 'succeeded'],
      ]),
    );
    expect(phaseTrail(detail, 'fix')).toEqual([['database.end_blocking_sessions', 'succeeded']]);
    expect(phaseTrail(detail, 'verify')).toEqual([
      ['database.find_blocking_queries', 'succeeded'],
      ['monitoring.check_service_health', 'succeeded'],
    ]);
    expect(detail.ticket.findings).toEqual([
      expect.objectContaining({
        id: 'postgres.lock_contention',
        target: 'orders-db',
        state: 'fixed',
        evidence: expect.objectContaining({ blocked: 1, blockers: [blocker.pid] }),
      }),
    ]);
    const found = stepOutput<{ blocked_count: number; blocker_pids: number[] }>(
      detail,
      'database.find_blocking_queries',
      'diagnose',
    );
    expect(found).toMatchObject({ blocked_count: 1, blocker_pids: [blocker.pid] });
    // The fix ran with the pid the diagnosis found (a template filled at run time), and terminated it: a cancel
    // does not end a transaction that is idle.
    const fix = detail.steps.find((s) => s.phase === 'fix')!;
    expect(fix.params).toMatchObject({ pids: [blocker.pid], mode: 'cancel_then_terminate' });
    expect(fix.output).toMatchObject({ ended: [{ pid: blocker.pid, how: 'terminated' }], still_blocked: 0 });

    // The blocker is gone, the waiting query went through, and a new reader finds no lock in its way: NOWAIT
    // fails at once (55P03) if anyone still holds a conflicting lock.
    expect(await alive(blocker.pid)).toBe(false);
    expect((await waiting).rows[0]!.n).toBe('1000');
    await reader.client.query('BEGIN');
    await reader.client.query('LOCK TABLE orders IN ACCESS SHARE MODE NOWAIT');
    expect((await reader.client.query('SELECT count(*) AS n FROM orders')).rows[0].n).toBe('1000');
    await reader.client.query('COMMIT');

    expect(detail.ticket.resolutionNote).toMatch(
      /^Fixed and verified \(runbook slow-database\): .*lock.*: fixed.*blocked_count eq 0/,
    );
    expect(statusTrail(detail)).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
    expect(
      detail.audit.some(
        (a) =>
          a.action === 'step.succeeded' &&
          (a.details as { capability?: string }).capability === 'database.end_blocking_sessions',
      ),
    ).toBe(true);
  });

  it('ends nothing when nothing blocks: no fault found, said so, and the requester is asked', async () => {
    const idle = await session('idle-app');
    const detail = await fileAndWait(s.rt.app, 'orders-db feels slow today, queries hang sometimes');
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(detail.ticket.outcome).toBe('no_fault_found');
    expect(detail.steps.filter((st) => st.phase !== 'diagnose')).toEqual([]);
    expect(detail.ticket.resolutionNote).toMatch(
      /^No fault found\. Checked: .*wait on locks.*: not found \(database\.find_blocking_queries: blocked_count gt 0 \(was 0\)\)/,
    );
    expect(await alive(idle.pid)).toBe(true);
  });
});

describe('scenario 5: connections exhausted; ending sessions is destructive and waits for an approval', () => {
  const KEYS = { alice: 'alice-key-000000000001', bob: 'bob-admin-key-00000002' };
  // A server of its own with 10 connections, 3 of them kept for superusers: 7 sessions left open by the shop's
  // pool take every slot an application may use (a superuser's `SELECT 1` still passes).
  const SLOTS = 7;
  let s: Scenario;
  let cluster: PostgresCluster;
  let server: string;
  beforeAll(async () => {
    cluster = await createPostgresCluster({ max_connections: 10, superuser_reserved_connections: 3 });
    server = cluster.url('postgres');
    const setup = new Client({ connectionString: server });
    await setup.connect();
    await setup.query(
      'CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL); INSERT INTO orders (total) SELECT g FROM generate_series(1, 100) g',
    );
    await setup.end();
    // The shipped runbook, with the idle threshold a test can wait for (10 minutes by default).
    const runbooks = loadBuiltinRunbooks().map((r) =>
      r.id === 'database-connections'
        ? { ...r, parameters: { ...r.parameters, idle_ms: { ...r.parameters!.idle_ms!, default: 1000 } } }
        : r,
    );
    s = await startScenario(
      [{ name: 'orders-db', url: server, category: 'database' }],
      {
        TWISTERLAB_API_KEYS: `alice:operator:${KEYS.alice},bob:admin:${KEYS.bob}`,
        TWISTERLAB_APPROVAL_TTL_MS: '4000',
      },
      { runbooks },
    );
  });
  afterAll(async () => {
    await s?.close();
    await cluster?.destroy();
  });

  async function fillSlots(): Promise<Array<{ client: Client; pid: number }>> {
    const held = [];
    for (let i = 0; i < SLOTS; i += 1) {
      const one = await session(`shop-pool-${i}`, server);
      await one.client.query('BEGIN');
      await one.client.query('SELECT count(*) FROM orders');
      held.push(one);
    }
    await new Promise((r) => setTimeout(r, 1200));
    return held;
  }

  async function fileAndAwaitApproval(): Promise<{ ticketId: string; approvalId: string }> {
    const ticketId = await fileTicket(
      s.rt.app,
      'orders-db: the shop gets "too many clients" errors, the connection pool is exhausted',
      { 'x-api-key': KEYS.alice },
    );
    await until(
      'the ticket to wait for approval',
      async () => (await s.rt.runtime.opened.store.get(ticketId))!.status === 'awaiting_approval',
    );
    const list = await s.rt.app.inject({
      method: 'GET',
      url: `/api/v1/approvals?status=pending&ticketId=${ticketId}`,
      headers: { 'x-api-key': KEYS.bob },
    });
    const items = (list.json() as { items: Array<{ id: string; stepIndex: number }> }).items;
    expect(items).toHaveLength(1);
    return { ticketId, approvalId: items[0]!.id };
  }

  it('diagnoses first, asks the approval with the figures, runs nothing until another admin approves, then frees the slots and resolves', async () => {
    const held = await fillSlots();
    const { ticketId, approvalId } = await fileAndAwaitApproval();
    const detail0 = (await s.rt.runtime.opened.store.getDetail(ticketId))!;
    const plan = detail0.executions.at(-1)!.plan;
    expect(plan.runbookId).toBe('database-connections');
    expect(plan.steps.find((st) => st.phase === 'fix')).toMatchObject({
      risk: 'destructive',
      decision: 'needs_approval',
    });
    // What the approver sees was measured before the question was asked.
    expect(plan.findings).toEqual([
      expect.objectContaining({
        id: 'postgres.connections_exhausted',
        state: 'confirmed',
        evidence: expect.objectContaining({ connections: SLOTS, max_connections: 10, reserved: 3 }),
      }),
    ]);
    expect(detail0.steps.every((st) => st.phase === 'diagnose')).toBe(true);
    expect(await alive(held[0]!.pid, server)).toBe(true);

    const byRequester = await s.rt.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/approve`,
      headers: { 'x-api-key': KEYS.alice },
    });
    expect(byRequester.statusCode).toBe(403);
    const approved = await s.rt.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/approve`,
      headers: { 'x-api-key': KEYS.bob },
    });
    expect(approved.statusCode).toBe(200);

    const detail = await waitForTicket(s.rt.app, ticketId, 30_000, { 'x-api-key': KEYS.bob });
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.ticket.outcome).toBe('assisted_fix');
    const fix = detail.steps.find((st) => st.phase === 'fix')!;
    expect((fix.output as { terminated: number[] }).terminated).toEqual(expect.arrayContaining(held.map((h) => h.pid)));
    for (const h of held) expect(await alive(h.pid, server)).toBe(false);
    // As the application sees it: an ordinary role can connect again.
    await adminQueryOn(server, "CREATE ROLE shop_app LOGIN PASSWORD 'app' NOSUPERUSER");
    const app = new Client({ connectionString: server.replace('postgres@', 'shop_app:app@') });
    await app.connect();
    await app.end();
    const executing = detail.audit.find((a) => a.action === 'ticket.status_changed' && a.toStatus === 'executing');
    expect(executing?.details).toMatchObject({ approvedBy: ['bob'] });
    expect(statusTrail(detail)).toEqual([
      'triaged',
      'diagnosing',
      'awaiting_approval',
      'executing',
      'verifying',
      'resolved',
    ]);
    expect(detail.ticket.findings).toEqual([
      expect.objectContaining({ id: 'postgres.connections_exhausted', state: 'fixed' }),
    ]);
  });

  it('escalates when the approval expires, and nothing runs', async () => {
    const held = await fillSlots();
    const { ticketId, approvalId } = await fileAndAwaitApproval();
    const detail = await waitForTicket(s.rt.app, ticketId, 20_000, { 'x-api-key': KEYS.bob });
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toMatch(/expired/);
    expect(detail.steps.filter((st) => st.phase === 'fix')).toEqual([]);
    for (const h of held) expect(await alive(h.pid, server)).toBe(true);
    const late = await s.rt.app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${approvalId}/approve`,
      headers: { 'x-api-key': KEYS.bob },
    });
    expect(late.statusCode).toBe(409);
  });
});

async function adminQueryOn(server: string, text: string): Promise<void> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}
