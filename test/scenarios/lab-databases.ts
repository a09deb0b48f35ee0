// Real database faults for the scenarios: PostgreSQL clusters of the lab's own (a lock chain, connection slots
// left only to superusers) and redis-servers started by their restart scripts (a sessions store full with
// noeviction, an image cache at its limit that evicts as designed). Each fault is armed and cleared on demand;
// `appCheck`/`appWrite` look at the system as the application does (its role, its password, a real write).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { freePort } from '../helpers/redis-server.ts';
import { isAlive, killHard, readPid, runScript, writeRestartScript } from './lab-processes.ts';
import type { Fixture, LabContext } from './lab.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`lab: timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Passwords an app keeps in a file only it reads; scram for every role but the local admin. */
async function hardenAuth(cluster: PostgresCluster): Promise<void> {
  await sql(cluster.url(), async (c) => {
    const { rows } = await c.query<{ hba_file: string }>('SHOW hba_file');
    writeFileSync(
      rows[0]!.hba_file,
      'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
    );
    await c.query('SELECT pg_reload_conf()');
  });
}

async function sql<T>(url: string, use: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function session(url: string, name: string): Promise<Client> {
  const client = new Client({ connectionString: url, application_name: name });
  client.on('error', () => undefined); // a session the fix ends errors here; that is expected
  await client.connect();
  return client;
}

function passwordFile(ctx: LabContext, role: string): { file: string; password: string } {
  const password = createHash('sha256').update(`${role}-${ctx.dir}`).digest('hex').slice(0, 24);
  const dir = path.join(ctx.dir, 'secrets');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${role}.password`);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { file, password };
}

/** A cluster of the fixture's own, destroyed again when setting it up fails (nothing is left running). */
async function onCluster<T>(setup: (cluster: PostgresCluster) => Promise<T>): Promise<T> {
  const cluster = await createPostgresCluster();
  try {
    return await setup(cluster);
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}

export interface InventoryDb extends Fixture {
  /** Idle-in-transaction UPDATE ← ALTER TABLE queued ← the app's SELECTs queued behind it. */
  lockChain(): Promise<void>;
  /** A reporting job that locked the table and went idle with its transaction open. */
  idleLock(): Promise<void>;
  clear(): Promise<void>;
  /** Null when the app's role reads the stock table within 3 s; otherwise what the app gets. */
  appCheck(): Promise<string | null>;
  waitingOnLocks(): Promise<number>;
}

export async function startInventoryDb(ctx: LabContext): Promise<InventoryDb> {
  return onCluster((cluster) => inventoryOn(cluster, ctx));
}

async function inventoryOn(cluster: PostgresCluster, ctx: LabContext): Promise<InventoryDb> {
  const admin = cluster.url('inventory');
  await sql(cluster.url(), (c) => c.query('CREATE DATABASE inventory'));
  const app = passwordFile(ctx, 'inventory_app');
  await sql(admin, (c) =>
    c.query(`CREATE ROLE inventory_app LOGIN PASSWORD '${app.password}';
    CREATE TABLE stock (id serial PRIMARY KEY, sku text NOT NULL, qty integer NOT NULL);
    INSERT INTO stock (sku, qty) SELECT 'SKU-' || g, g % 50 FROM generate_series(1, 500) g;
    GRANT SELECT, UPDATE ON stock TO inventory_app`),
  );
  await hardenAuth(cluster);
  const appUrl = `postgresql://inventory_app:${app.password}@127.0.0.1:${cluster.port}/inventory`;
  // The app's connection pool: idle sessions that must survive any ticket.
  const pool = await Promise.all([session(appUrl, 'inventory-pool'), session(appUrl, 'inventory-pool')]);
  const poolPids = await Promise.all(
    pool.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid),
  );
  let held: Client[] = [];
  let lastRows = await sql(admin, async (c) => {
    const rows = (await c.query<{ n: string; s: string }>('SELECT count(*) AS n, sum(qty) AS s FROM stock')).rows[0]!;
    return `${rows.n}/${rows.s}`;
  });
  const waiting = () =>
    sql(admin, async (c) =>
      Number(
        (
          await c.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'inventory' AND wait_event_type = 'Lock'",
          )
        ).rows[0]!.n,
      ),
    );

  const fixture: InventoryDb = {
    services: [
      {
        name: 'inventory-db',
        url: admin,
        category: 'database',
        aliases: ['stock database', 'inventory database', 'warehouse db'],
        description: 'inventory screens and stock levels for the warehouse and the shop',
        app: { user: 'inventory_app', password: { file: app.file }, database: 'inventory' },
        check: { query: 'SELECT count(*) FROM stock', timeoutMs: 3000 },
      },
    ],
    waitingOnLocks: waiting,
    lockChain: async () => {
      const blocker = await session(appUrl, 'inventory-app');
      await blocker.query('BEGIN');
      await blocker.query('UPDATE stock SET qty = qty WHERE id = 1');
      const migration = await session(admin, 'deploy-migration');
      migration.query('ALTER TABLE stock ADD COLUMN IF NOT EXISTS reserved integer').catch(() => undefined);
      const readers = await Promise.all([session(appUrl, 'inventory-screens'), session(appUrl, 'inventory-screens')]);
      for (const r of readers) r.query('SELECT count(*) FROM stock').catch(() => undefined);
      held.push(blocker, migration, ...readers);
      await until('the lock chain to form', async () => (await waiting()) >= 3);
    },
    idleLock: async () => {
      const job = await session(admin, 'nightly-report');
      await job.query('BEGIN');
      await job.query('LOCK TABLE stock IN ACCESS EXCLUSIVE MODE');
      const reader = await session(appUrl, 'inventory-screens');
      reader.query('SELECT count(*) FROM stock').catch(() => undefined);
      held.push(job, reader);
      await until('the screens to wait on the lock', async () => (await waiting()) >= 1);
    },
    clear: async () => {
      await sql(admin, (c) =>
        c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'inventory' AND application_name IN ('inventory-app', 'deploy-migration', 'inventory-screens', 'nightly-report')",
        ),
      );
      await Promise.allSettled(held.map((c) => c.end()));
      held = [];
      await until('the locks to go', async () => (await waiting()) === 0);
      await sql(admin, (c) => c.query('ALTER TABLE stock DROP COLUMN IF EXISTS reserved'));
    },
    appCheck: async () => {
      const client = new Client({ connectionString: appUrl, statement_timeout: 3000, connectionTimeoutMillis: 3000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT count(*) FROM stock');
        return null;
      } catch (error) {
        return `the app's SELECT fails: ${(error as Error).message}`;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    snapshot: async () =>
      sql(admin, async (c) => {
        // The stock table cannot be read while the fault holds its lock, and nobody but the lock's holder can
        // change it then: the last figures read stand for it.
        await c.query("SET lock_timeout = '500ms'");
        try {
          const rows = (await c.query<{ n: string; s: string }>('SELECT count(*) AS n, sum(qty) AS s FROM stock'))
            .rows[0]!;
          lastRows = `${rows.n}/${rows.s}`;
        } catch {
          /* locked: keep the last figures */
        }
        const alive = (
          await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[]) ORDER BY pid', [
            poolPids,
          ])
        ).rows.map((r) => r.pid);
        return { 'inventory-db:rows': lastRows, 'inventory-db:app-pool': alive.join(',') };
      }),
    close: async () => {
      await fixture.clear().catch(() => undefined);
      await Promise.allSettled(pool.map((c) => c.end()));
      await cluster.destroy();
    },
  };
  return fixture;
}

export interface CrmDb extends Fixture {
  /** A reporting tool's sessions, left idle in a transaction, take every slot not reserved for superusers. */
  fill(): Promise<void>;
  clear(): Promise<void>;
  appCheck(): Promise<string | null>;
}

const CRM_SLOTS = { max: 10, reserved: 4 };

export async function startCrmDb(ctx: LabContext): Promise<CrmDb> {
  return onCluster((cluster) => crmOn(cluster, ctx));
}

async function crmOn(cluster: PostgresCluster, ctx: LabContext): Promise<CrmDb> {
  await sql(cluster.url(), async (c) => {
    await c.query(`ALTER SYSTEM SET max_connections = ${CRM_SLOTS.max}`);
    await c.query(`ALTER SYSTEM SET superuser_reserved_connections = ${CRM_SLOTS.reserved}`);
  });
  await cluster.stop();
  await cluster.start();
  await sql(cluster.url(), (c) => c.query('CREATE DATABASE crm'));
  const app = passwordFile(ctx, 'crm_app');
  const reports = passwordFile(ctx, 'crm_reports');
  const admin = cluster.url('crm');
  await sql(admin, (c) =>
    c.query(`CREATE ROLE crm_app LOGIN PASSWORD '${app.password}'; CREATE ROLE crm_reports LOGIN PASSWORD '${reports.password}';
    CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO accounts (name) SELECT 'Account ' || g FROM generate_series(1, 200) g;
    GRANT SELECT ON accounts TO crm_app, crm_reports`),
  );
  await hardenAuth(cluster);
  const appUrl = `postgresql://crm_app:${app.password}@127.0.0.1:${cluster.port}/crm`;
  const reportsUrl = `postgresql://crm_reports:${reports.password}@127.0.0.1:${cluster.port}/crm`;
  let held: Client[] = [];
  const fixture: CrmDb = {
    services: [
      {
        name: 'crm-db',
        url: admin,
        category: 'database',
        aliases: ['crm', 'customer database', 'sales crm'],
        description: 'the CRM the sales team works in: accounts, contacts, deals and call notes',
        app: { user: 'crm_app', password: { file: app.file }, database: 'crm' },
        check: { query: 'SELECT 1 FROM accounts LIMIT 1' },
      },
    ],
    fill: async () => {
      for (let i = 0; i < CRM_SLOTS.max - CRM_SLOTS.reserved; i += 1) {
        const c = await session(reportsUrl, 'quarterly-report-export');
        await c.query('BEGIN');
        await c.query('SELECT count(*) FROM accounts');
        held.push(c);
      }
      await sleep(1200); // older than the idle threshold the scenarios give the runbook
    },
    clear: async () => {
      await sql(admin, (c) =>
        c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'crm_reports'"),
      );
      await Promise.allSettled(held.map((c) => c.end()));
      held = [];
      await until('the CRM app to connect again', async () => (await fixture.appCheck()) === null);
    },
    appCheck: async () => {
      const client = new Client({ connectionString: appUrl, connectionTimeoutMillis: 3000, statement_timeout: 3000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1 FROM accounts LIMIT 1');
        return null;
      } catch (error) {
        return `the CRM app cannot work: ${(error as { code?: string }).code ?? ''} ${(error as Error).message}`;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    snapshot: async () =>
      sql(admin, async (c) => ({
        'crm-db:rows': (await c.query<{ n: string }>('SELECT count(*) AS n FROM accounts')).rows[0]!.n,
      })),
    close: async () => {
      await Promise.allSettled(held.map((c) => c.end()));
      await cluster.destroy();
    },
  };
  return fixture;
}

export interface RedisService extends Fixture {
  port: number;
  /** Writes big values until Redis refuses (noeviction) or evicts (an LRU cache). */
  fill(): Promise<void>;
  clear(): Promise<void>;
  kill(): Promise<void>;
  ensureUp(): Promise<void>;
  /** Null when a SET as the app does it succeeds; otherwise Redis's answer. */
  appWrite(): Promise<string | null>;
}

interface RedisSetup {
  name: string;
  maxmemory: string;
  policy: string;
  restart?: boolean;
  entry: Record<string, unknown>;
  /** Keys the app stored that must survive every ticket (users' sessions). */
  canary?: string;
}

export async function startRedisService(ctx: LabContext, setup: RedisSetup): Promise<RedisService> {
  const port = await freePort();
  const dir = path.join(ctx.dir, setup.name);
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  const script = writeRestartScript(ctx.bin, `restart-${setup.name}`, {
    pidFile,
    command: 'redis-server',
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      setup.maxmemory,
      '--maxmemory-policy',
      setup.policy,
    ],
    ready: { redisPort: port },
  });
  ctx.allow(`restart-${setup.name}`);
  if ((await runScript(script)) !== 0) throw new Error(`lab: redis ${setup.name} did not start`);
  const url = `redis://127.0.0.1:${port}`;
  const client = () => {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    return c;
  };
  const withClient = async <T>(use: (c: Redis) => Promise<T>) => {
    const c = client();
    try {
      await c.connect();
      return await use(c);
    } finally {
      c.disconnect();
    }
  };
  // Users signed in: their sessions are data the app owns (a restart of a store without persistence loses them;
  // the lab puts them back when it clears a fault).
  const seed = () =>
    withClient(async (c) => {
      for (let i = 0; i < 50 && setup.canary; i += 1) await c.set(`${setup.canary}${i}`, `user-${i}`);
    });
  await seed();
  const fixture: RedisService = {
    port,
    services: [
      { name: setup.name, url, ...(setup.restart ? { restart: `restart-${setup.name}` } : {}), ...setup.entry },
    ],
    fill: () =>
      withClient(async (c) => {
        const value = 'x'.repeat(2048);
        for (let batch = 0; batch < 2000; batch += 1) {
          const pipe = c.pipeline();
          for (let i = 0; i < 100; i += 1) pipe.set(`filler:${batch}:${i}`, value);
          const replies = (await pipe.exec()) ?? [];
          if (replies.some(([error]) => error && /OOM/.test(error.message))) {
            // At the limit, memory freed a moment later would let a write in: hold the limit just under what is used, so
            // every write stays refused until the fault is cleared (clear puts the configured limit back).
            const used = Number(/used_memory:(\d+)/.exec(await c.info('memory'))?.[1] ?? 0);
            if (used > 0) await c.config('SET', 'maxmemory', String(Math.max(1024 * 1024, used - 256 * 1024)));
            return;
          }
          const info = await c.info('stats');
          if (Number(/evicted_keys:(\d+)/.exec(info)?.[1] ?? 0) > 200) return;
        }
        throw new Error(`lab: ${setup.name} never reached its maxmemory`);
      }),
    clear: async () => {
      await fixture.ensureUp();
      await withClient(async (c) => {
        let cursor = '0';
        do {
          const [next, keys] = await c.scan(cursor, 'MATCH', 'filler:*', 'COUNT', 1000);
          if (keys.length > 0) await c.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
        await c.config('SET', 'maxmemory', setup.maxmemory);
        await c.config('RESETSTAT');
      });
      await seed();
    },
    kill: async () => killHard(readPid(pidFile)),
    ensureUp: async () => {
      if (!isAlive(readPid(pidFile)) && (await runScript(script)) !== 0)
        throw new Error(`lab: redis ${setup.name} did not come back`);
    },
    appWrite: async () => {
      try {
        return await withClient(async (c) => {
          await c.set('app:probe', String(Date.now()));
          return null;
        });
      } catch (error) {
        return `the app's write fails: ${(error as Error).message}`;
      }
    },
    snapshot: async () => {
      const pid = readPid(pidFile);
      const state: Record<string, string> = { [`${setup.name}:pid`]: isAlive(pid) ? String(pid) : 'dead' };
      if (!isAlive(pid)) return state;
      return withClient(async (c) => {
        const config = [
          ...((await c.config('GET', 'maxmemory')) as string[]),
          ...((await c.config('GET', 'maxmemory-policy')) as string[]),
        ];
        state[`${setup.name}:config`] = config.join(' ');
        if (setup.canary) {
          const values = await c.mget(...Array.from({ length: 50 }, (_, i) => `${setup.canary}${i}`));
          state[`${setup.name}:sessions`] = createHash('sha256')
            .update(JSON.stringify(values))
            .digest('hex')
            .slice(0, 16);
        }
        return state;
      });
    },
    close: async () => killHard(readPid(pidFile)),
  };
  return fixture;
}
