// The PostgreSQL capabilities on a real server: a database of its own per run (so terminating idle sessions
// can never reach another test's connections), real lock waits between real sessions.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { parseServiceDeclarations } from '../../core/service-declarations.ts';
import { createDatabaseAgent } from './database-agent.ts';
import { MAX_GRACE_MS } from './end-blocking-sessions.ts';

const SERVER = 'postgresql://postgres@127.0.0.1:5432';
const SECRET = 'pw-never-shown-4711';
const database = `dbagent_${randomBytes(5).toString('hex')}`;
let registry: CapabilityRegistry;
/** Connected to the `postgres` database: watches without adding sessions to the one under test. */
let monitor: pg.Client;
let sessions: pg.Client[] = [];

interface Result {
  ok: boolean;
  output?: any;
  error?: { code: string; message: string };
}
const call = async (capability: string, input: unknown): Promise<Result> =>
  (await registry.invoke(`database.${capability}`, input, { actor: 'test' })) as Result;
const table = () => `t_${randomBytes(4).toString('hex')}`;

async function session(name = 'dbagent-test'): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: `${SERVER}/${database}`, application_name: name });
  client.on('error', () => undefined);
  await client.connect();
  sessions.push(client);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const waitingOnLock = (pid: number) =>
  waitFor(
    `pid ${pid} to wait on a lock`,
    async () =>
      (await monitor.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]))
        .rowCount === 1,
  );
const alive = async (pid: number) =>
  (await monitor.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1;

/** A session holding ACCESS EXCLUSIVE on a fresh table, idle in transaction, and one blocked reading it. */
async function lockScene(waiterQuery = (t: string) => `SELECT * FROM ${t}`) {
  const t = table();
  const holder = await session('dbagent-holder');
  await holder.client.query(`CREATE TABLE ${t} (id int)`);
  await holder.client.query('BEGIN');
  await holder.client.query(`LOCK TABLE ${t} IN ACCESS EXCLUSIVE MODE`);
  const waiter = await session('dbagent-waiter');
  const read = waiter.client.query(waiterQuery(t));
  await waitingOnLock(waiter.pid);
  return { t, holder, waiter, read };
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  monitor = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await monitor.connect();
  registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(
    createDatabaseAgent({
      services: parseServiceDeclarations(
        [
          `shop=postgres://postgres:${SECRET}@127.0.0.1:5432/${database}`,
          'cache=redis://127.0.0.1:6379',
          'web=http://127.0.0.1:8080/health',
          `down=postgres://postgres:${SECRET}@127.0.0.1:1/${database}`,
        ].join(','),
      ),
      timeoutMs: 3_000,
    }),
  );
});

afterEach(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  sessions = [];
});

afterAll(async () => {
  await monitor?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await monitor?.end();
});

describe('database.find_blocking_queries', () => {
  it('names the idle-in-transaction lock holder as the root blocker and the reader as blocked by it', async () => {
    const { holder, waiter, read } = await lockScene(
      (t) => `SELECT * FROM ${t} WHERE 'password=hunter2-in-query' <> '' AND ${'true AND '.repeat(30)}true`,
    );
    const result = await call('find_blocking_queries', { service_name: 'shop' });
    expect(result.ok).toBe(true);
    const out = result.output;
    expect(out.blocker_pids).toEqual([holder.pid]);
    expect(out.blocked_count).toBe(1);
    expect(out.blockers).toEqual([
      expect.objectContaining({
        pid: holder.pid,
        user: 'postgres',
        application_name: 'dbagent-holder',
        state: 'idle in transaction',
        blocking_count: 1,
      }),
    ]);
    expect(out.blockers[0].query).toMatch(/^LOCK TABLE t_[0-9a-f]+ IN ACCESS EXCLUSIVE MODE$/);
    expect(out.blocked).toEqual([
      { pid: waiter.pid, waiting_ms: expect.any(Number), blocked_by: [holder.pid], query: expect.any(String) },
    ]);
    // The blocked query is longer than 200 characters and names a password: cut, and the password redacted.
    expect(out.blocked[0].query).toHaveLength(200);
    expect(out.blocked[0].query).toContain('[REDACTED]');
    expect(JSON.stringify(out)).not.toMatch(/hunter2|pw-never-shown/);
    expect(out.max_wait_ms).toBe(out.blocked[0].waiting_ms);
    expect(out.blockers[0].xact_age_ms).toBeGreaterThanOrEqual(out.max_wait_ms);
    await holder.client.query('ROLLBACK');
    await read;
  });

  it('reports no contention when nobody waits, and lists long-running queries past the threshold only', async () => {
    const sleeper = await session('dbagent-sleeper');
    // Sleeps until cancelled below, so it is still running whenever the call gets to look.
    const sleeping = sleeper.client.query('SELECT pg_sleep(3600)').catch((e: unknown) => e);
    await waitFor(
      'the sleeper to run for 250 ms',
      async () =>
        (
          await monitor.query(
            `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND now() - query_start >= interval '250 ms'`,
            [sleeper.pid],
          )
        ).rowCount === 1,
    );
    const quiet = (await call('find_blocking_queries', { service_name: 'shop', long_running_ms: 250 })).output;
    expect(quiet).toMatchObject({ blocked_count: 0, blocker_pids: [], blockers: [], blocked: [], max_wait_ms: 0 });
    expect(quiet.long_running).toEqual([
      { pid: sleeper.pid, state: 'active', query_age_ms: expect.any(Number), query: 'SELECT pg_sleep(3600)' },
    ]);
    expect(quiet.long_running[0].query_age_ms).toBeGreaterThanOrEqual(250);
    expect((await call('find_blocking_queries', { service_name: 'shop' })).output.long_running).toEqual([]);
    await monitor.query('SELECT pg_cancel_backend($1)', [sleeper.pid]);
    expect(await sleeping).toMatchObject({ code: '57014' });
  });

  it('ends nothing when given no pids (a diagnosis that found no blocker), and reports the sessions still blocked', async () => {
    expect(await call('end_blocking_sessions', { service_name: 'shop', pids: [] })).toMatchObject({
      ok: true,
      output: { ended: [], skipped: [], still_blocked: 0 },
    });
  });
});

describe('database.end_blocking_sessions', () => {
  // A cancel cannot end an idle transaction, so no grace is spent on one. The grace asked for is the longest
  // allowed and as long as this test may run: a call that cancelled first and waited it out cannot pass.
  it(
    'terminates an idle-in-transaction blocker without waiting out the grace, and the blocked query then completes',
    async () => {
      const { holder, read } = await lockScene();
      const result = await call('end_blocking_sessions', {
        service_name: 'shop',
        pids: [holder.pid],
        grace_ms: MAX_GRACE_MS,
      });
      expect(result).toMatchObject({
        ok: true,
        output: { ended: [{ pid: holder.pid, how: 'terminated' }], skipped: [], still_blocked: 0 },
      });
      await expect(read).resolves.toMatchObject({ rowCount: 0 });
      expect(await alive(holder.pid)).toBe(false);
    },
    MAX_GRACE_MS,
  );

  it('ends a blocker busy in pg_sleep inside its lock-holding transaction by a cancel; its connection survives', async () => {
    const t = table();
    const holder = await session('dbagent-holder');
    await holder.client.query(`CREATE TABLE ${t} (id int)`);
    await holder.client.query('BEGIN');
    await holder.client.query(`LOCK TABLE ${t} IN ACCESS EXCLUSIVE MODE`);
    const sleeping = holder.client.query('SELECT pg_sleep(60)').then(
      () => 'finished',
      (e: { code?: string }) => e.code,
    );
    const waiter = await session('dbagent-waiter');
    const read = waiter.client.query(`SELECT * FROM ${t}`);
    await waitingOnLock(waiter.pid);
    const result = await call('end_blocking_sessions', { service_name: 'shop', pids: [holder.pid] });
    expect(result).toMatchObject({
      ok: true,
      output: { ended: [{ pid: holder.pid, how: 'cancelled' }], skipped: [], still_blocked: 0 },
    });
    expect(await sleeping).toBe('57014'); // query_canceled
    await expect(read).resolves.toMatchObject({ rowCount: 0 });
    await holder.client.query('ROLLBACK');
    expect((await holder.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('skips, with a reason, a pid that blocks nobody, one that is not a backend and one that is not a client backend', async () => {
    const idle = await session('dbagent-idle');
    const { rows } = await monitor.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`,
    );
    const checkpointer = rows[0]!.pid;
    const result = await call('end_blocking_sessions', {
      service_name: 'shop',
      pids: [idle.pid, 99_999_999, checkpointer],
      mode: 'terminate',
    });
    expect(result.output).toEqual({
      ended: [],
      skipped: [
        { pid: idle.pid, reason: 'blocks nobody now' },
        { pid: 99_999_999, reason: expect.stringMatching(/^no such backend/) },
        { pid: checkpointer, reason: 'not a client backend (checkpointer)' },
      ],
      still_blocked: 0,
    });
    expect(await alive(idle.pid)).toBe(true);
    expect(await alive(checkpointer)).toBe(true);
  });

  it('in mode cancel leaves an idle-in-transaction blocker alone and says why; the session is still blocked', async () => {
    const { holder, read } = await lockScene();
    const result = await call('end_blocking_sessions', {
      service_name: 'shop',
      pids: [holder.pid],
      mode: 'cancel',
      grace_ms: 0,
    });
    expect(result.output).toEqual({
      ended: [],
      skipped: [{ pid: holder.pid, reason: expect.stringContaining('idle in transaction') }],
      still_blocked: 1,
    });
    expect(await alive(holder.pid)).toBe(true);
    await holder.client.query('ROLLBACK');
    await read;
  });
});

describe('database.connection_usage and database.terminate_idle_sessions', () => {
  it('counts client connections by state against max_connections and lists the session idle in transaction', async () => {
    const open = await session('dbagent-open-txn');
    await open.client.query('BEGIN');
    await open.client.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 150));
    const out = (await call('connection_usage', { service_name: 'shop' })).output;
    const { rows } = await monitor.query<{ max: string }>(`SELECT current_setting('max_connections') AS max`);
    expect(out.max_connections).toBe(Number(rows[0]!.max));
    expect(out.total).toBe(Object.values(out.by_state as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(out.by_state['idle in transaction']).toBeGreaterThanOrEqual(1);
    expect(out.used_percent).toBeCloseTo((out.total / out.max_connections) * 100, 0);
    expect(out.idle_in_transaction).toEqual([
      { pid: open.pid, user: 'postgres', application_name: 'dbagent-open-txn', state_age_ms: expect.any(Number) },
    ]);
    expect(out.idle_in_transaction[0].state_age_ms).toBeGreaterThanOrEqual(100);
  });

  it('terminates only sessions in the state for longer than the threshold, oldest first and at most limit', async () => {
    const oldTxn = await Promise.all([session(), session(), session()]);
    for (const s of oldTxn) await s.client.query('BEGIN; SELECT 1');
    const oldIdle = await session();
    await new Promise((r) => setTimeout(r, 1_300));
    const youngTxn = await session();
    await youngTxn.client.query('BEGIN; SELECT 1');

    const first = await call('terminate_idle_sessions', { service_name: 'shop', older_than_ms: 1_000, limit: 2 });
    // The oldest two: the first two to open their transactions.
    expect(first.output.count).toBe(2);
    expect([...first.output.terminated].sort()).toEqual(
      oldTxn
        .slice(0, 2)
        .map((s) => s.pid)
        .sort(),
    );
    const second = await call('terminate_idle_sessions', { service_name: 'shop', older_than_ms: 1_000 });
    expect(second.output).toEqual({ terminated: [oldTxn[2]!.pid], count: 1 });
    await waitFor(
      'terminated sessions to exit',
      async () => !(await alive(oldTxn[0]!.pid)) && !(await alive(oldTxn[2]!.pid)),
    );
    expect(await alive(youngTxn.pid)).toBe(true);
    expect(await alive(oldIdle.pid)).toBe(true);

    const idle = await call('terminate_idle_sessions', { service_name: 'shop', state: 'idle', older_than_ms: 1_000 });
    expect(idle.output).toEqual({ terminated: [oldIdle.pid], count: 1 });
    expect(await alive(youngTxn.pid)).toBe(true);
  });
});

describe('services, input and credentials', () => {
  it('refuses an unknown service with SERVICE_NOT_FOUND and a service of another kind with VALIDATION_FAILED', async () => {
    expect(await call('connection_usage', { service_name: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_NOT_FOUND' },
    });
    expect(await call('find_blocking_queries', { service_name: 'cache' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('redis service, not postgres') },
    });
    expect(await call('terminate_idle_sessions', { service_name: 'web', older_than_ms: 5_000 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await call('redis_memory_usage', { service_name: 'shop' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('rejects malformed input in the registry before anything runs', async () => {
    const bad: Array<[string, unknown]> = [
      ['end_blocking_sessions', { service_name: 'shop', pids: [-1] }],
      ['end_blocking_sessions', { service_name: 'shop', pids: Array.from({ length: 51 }, (_, i) => i + 1) }],
      ['end_blocking_sessions', { service_name: 'shop', pids: [1.5] }],
      ['end_blocking_sessions', { service_name: 'shop', pids: [1], grace_ms: 30_001 }],
      ['end_blocking_sessions', { service_name: 'shop', pids: [1], mode: 'kill' }],
      ['terminate_idle_sessions', { service_name: 'shop', older_than_ms: 999 }],
      ['terminate_idle_sessions', { service_name: 'shop', older_than_ms: 5_000, limit: 501 }],
      ['terminate_idle_sessions', { service_name: 'shop', older_than_ms: 5_000, state: 'active' }],
      ['connection_usage', { service_name: 'shop', verbose: true }],
      ['find_blocking_queries', {}],
    ];
    for (const [capability, input] of bad) {
      expect(await call(capability, input), `${capability} ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
  });

  it('reports an unreachable server as SERVICE_QUERY_FAILED without its password', async () => {
    const result = await call('connection_usage', { service_name: 'down' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_QUERY_FAILED', message: expect.stringContaining('could not connect') },
    });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('leaves no connection of its own open after its calls', async () => {
    await waitFor(
      "the agent's connections to close",
      async () =>
        (
          await monitor.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'twisterlab-database-agent' AND datname = $1`,
            [database],
          )
        ).rowCount === 0,
      3_000,
    );
  });
});
