// PostgreSQL faults a privileged `SELECT 1` walks past, on a private cluster: a lock chain that queues the app's
// reads, free slots that only a superuser may take, a wrong app password. The check, run as the app's role with
// its own query, reports each one; the old probe (superuser, SELECT 1) still passes beside it.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceChecker } from '../../src/adapters/health/service-checker.ts';
import type { ServiceDeclaration } from '../../src/core/ports.ts';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';

const APP_PASSWORD = 'app-pw-7f3kq9-never-shown';
const env = (name: string) => (name === 'INVENTORY_DB_PASSWORD' ? APP_PASSWORD : undefined);
const checker = createServiceChecker({ env });
let cluster: PostgresCluster;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const superuser = (): ServiceDeclaration => ({ name: 'inventory-db', kind: 'postgres', target: cluster.url() });
const asApp = (
  check?: ServiceDeclaration['check'],
  password = { env: 'INVENTORY_DB_PASSWORD' },
): ServiceDeclaration => ({
  ...superuser(),
  app: { user: 'inventory_app', password, database: 'postgres' },
  ...(check ? { check } : {}),
});

beforeAll(async () => {
  cluster = await createPostgresCluster();
  await admin(async (c) => {
    // Passwords are checked for every role but the superuser, which keeps trust (the helper's own access).
    const { rows } = await c.query<{ hba_file: string }>('SHOW hba_file');
    writeFileSync(
      rows[0]!.hba_file,
      'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
    );
    await c.query('SELECT pg_reload_conf()');
    await c.query(`CREATE ROLE inventory_app LOGIN PASSWORD '${APP_PASSWORD}'`);
    await c.query('CREATE TABLE inventory (id int PRIMARY KEY, qty int NOT NULL)');
    await c.query('INSERT INTO inventory SELECT g, 1 FROM generate_series(1, 10) g');
    await c.query('GRANT SELECT, UPDATE ON inventory TO inventory_app');
  });
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

describe('PostgreSQL checked as the application', () => {
  it('connects as the app role with the password from its environment reference and runs the app query', async () => {
    const result = await checker.check(asApp({ query: 'select count(*) from inventory' }), { timeoutMs: 5_000 });
    expect(result).toMatchObject({
      healthy: true,
      reachable: true,
      asApp: true,
      detail: 'check query ok as role inventory_app (1 row)',
    });
  });

  it('reports a wrong app password as an auth failure, never showing a password', async () => {
    const wrong = createServiceChecker({ env: () => 'not-the-password-q81z' });
    const result = await wrong.check(asApp(), { timeoutMs: 5_000 });
    expect(result).toMatchObject({ healthy: false, reachable: true, asApp: true, failure: 'auth', errorCode: '28P01' });
    expect(JSON.stringify(result)).not.toMatch(/not-the-password-q81z|app-pw-7f3kq9/);
  });

  it('refuses to check when the password variable is not set, naming the variable and nothing else', async () => {
    await expect(
      checker.check(asApp(undefined, { env: 'UNSET_DB_PASSWORD' }), { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('UNSET_DB_PASSWORD') });
  });

  it('reports the app query refused for lack of privilege as query_failed with its SQLSTATE', async () => {
    const result = await checker.check(asApp({ query: 'select count(*) from pg_authid' }), { timeoutMs: 5_000 });
    expect(result).toMatchObject({ healthy: false, failure: 'query_failed', errorCode: '42501', asApp: true });
  });

  it('reports a query slower than its timeout as query_timeout with 57014', async () => {
    const result = await checker.check(asApp({ query: 'select pg_sleep(2)', timeoutMs: 200 }), { timeoutMs: 5_000 });
    expect(result).toMatchObject({ healthy: false, failure: 'query_timeout', errorCode: '57014' });
  });

  it('runs the query read-only: a query that writes is refused and changes nothing', async () => {
    const result = await checker.check(asApp({ query: 'update inventory set qty = 99' }), { timeoutMs: 5_000 });
    expect(result).toMatchObject({ healthy: false, failure: 'query_failed', errorCode: '25006' });
    expect(await admin((c) => c.query('select count(*)::int AS n from inventory where qty = 99'))).toMatchObject({
      rows: [{ n: 0 }],
    });
  });

  it('reports a lock chain as the app query timing out, while the superuser SELECT 1 still passes', async () => {
    const holder = new pg.Client({ connectionString: cluster.url() });
    const alter = new pg.Client({ connectionString: cluster.url() });
    await holder.connect();
    await alter.connect();
    try {
      // An idle-in-transaction UPDATE, an ALTER TABLE queued behind it, the app's reads queued behind that.
      await holder.query('BEGIN');
      await holder.query('UPDATE inventory SET qty = qty + 1 WHERE id = 1');
      const altered = alter.query('ALTER TABLE inventory ADD COLUMN note text');
      await admin(async (c) => {
        for (let i = 0; i < 100; i += 1) {
          const { rows } = await c.query<{ n: number }>(
            "select count(*)::int AS n from pg_stat_activity where wait_event_type = 'Lock'",
          );
          if (rows[0]!.n > 0) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('the ALTER TABLE never queued');
      });
      const old = await checker.check(superuser(), { timeoutMs: 5_000 });
      const app = await checker.check(asApp({ query: 'select count(*) from inventory', timeoutMs: 300 }), {
        timeoutMs: 5_000,
      });
      expect(old).toMatchObject({ healthy: true, asApp: false });
      expect(app).toMatchObject({
        healthy: false,
        reachable: true,
        asApp: true,
        failure: 'query_timeout',
        errorCode: '55P03',
      });
      await holder.query('ROLLBACK');
      await altered;
      const after = await checker.check(asApp({ query: 'select count(*) from inventory', timeoutMs: 300 }), {
        timeoutMs: 5_000,
      });
      expect(after).toMatchObject({ healthy: true });
    } finally {
      await holder.end();
      await alter.end();
    }
  });

  it('reports no free slot for the app role while the superuser SELECT 1 passes on a reserved one', async () => {
    await admin(async (c) => {
      await c.query('ALTER SYSTEM SET max_connections = 6');
      await c.query('ALTER SYSTEM SET superuser_reserved_connections = 4');
    });
    await cluster.stop();
    await cluster.start();
    const sessions = [1, 2].map(
      () =>
        new pg.Client({
          connectionString: `postgresql://inventory_app:${APP_PASSWORD}@127.0.0.1:${cluster.port}/postgres`,
        }),
    );
    try {
      for (const s of sessions) await s.connect();
      const old = await checker.check(superuser(), { timeoutMs: 5_000 });
      const app = await checker.check(asApp({ query: 'select count(*) from inventory' }), { timeoutMs: 5_000 });
      expect(old).toMatchObject({ healthy: true, asApp: false });
      expect(app).toMatchObject({
        healthy: false,
        reachable: true,
        asApp: true,
        failure: 'no_slots',
        errorCode: '53300',
      });
      expect(app.detail).toContain('remaining connection slots are reserved');
      expect(JSON.stringify(app)).not.toContain(APP_PASSWORD);
    } finally {
      await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
    }
  });
});
