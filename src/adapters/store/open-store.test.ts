import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../../../test/store/backends.ts';
import { newTicket } from '../../../test/store/fixtures.ts';
import { LOCK_FILE_NAME } from './data-dir-lock.ts';
import { MIGRATIONS_FOLDER, normaliseDatabaseUrl, openPgliteStore, openPostgresStore } from './open-store.ts';

describe('normaliseDatabaseUrl', () => {
  it('turns the asyncpg URL forms into plain postgresql URLs and leaves others alone', () => {
    expect(normaliseDatabaseUrl('postgresql+asyncpg://u:p@db:5432/twister')).toBe('postgresql://u:p@db:5432/twister');
    expect(normaliseDatabaseUrl('postgres+asyncpg://u@db/twister')).toBe('postgresql://u@db/twister');
    expect(normaliseDatabaseUrl('postgres://u@db/twister')).toBe('postgres://u@db/twister');
  });
});

// Opening PGlite compiles its WASM and may run initdb: tens of seconds on a loaded machine.
describe('openPgliteStore', { timeout: 180_000 }, () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'twisterlab-store-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps data across close and reopen, and refuses a second open while the first is open', async () => {
    const dataDir = path.join(root, 'data');
    const first = await openPgliteStore({ dataDir, logger: silentLogger });
    expect(first.kind).toBe('pglite');
    const { ticket } = await first.store.create(newTicket());

    await expect(openPgliteStore({ dataDir, logger: silentLogger })).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringContaining(`in use by process ${process.pid}`),
    });
    expect(await first.store.get(ticket.id)).toEqual(ticket);

    await first.close();
    await first.close();
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE_NAME))).toBe(false);

    const second = await openPgliteStore({ dataDir, logger: silentLogger });
    try {
      expect(await second.store.get(ticket.id)).toEqual(ticket);
      expect((await second.store.getDetail(ticket.id))?.audit).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it("creates a new cluster before the store thread opens it, and reports that thread's heap and WebAssembly memory", async () => {
    const dataDir = path.join(root, 'fresh');
    const opened = await openPgliteStore({ dataDir, logger: silentLogger });
    try {
      expect(fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
      const memory = await opened.thread!.memory();
      expect(memory.wasmMemory).toBeGreaterThanOrEqual(128 * 2 ** 20);
      expect(memory.heapUsed).toBeGreaterThan(0);
      expect(memory.heapTotal).toBeGreaterThanOrEqual(memory.heapUsed);
    } finally {
      await opened.close();
    }
  });

  it('refuses a data directory that another running process has open, naming that process', async () => {
    const dataDir = path.join(root, 'shared');
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      const { openPgliteStore } = await import(${JSON.stringify(new URL('./open-store.ts', import.meta.url).href)});
      const { silentLogger } = await import(${JSON.stringify(new URL('../../core/logger.ts', import.meta.url).href)});
      const opened = await openPgliteStore({ dataDir: ${JSON.stringify(dataDir)}, logger: silentLogger });
      process.stdout.write('open\\n');
      process.stdin.on('data', async () => { await opened.close(); process.exit(0); });
    `,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('open')) resolve();
        });
        holder.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      await expect(openPgliteStore({ dataDir, logger: silentLogger })).rejects.toMatchObject({
        code: 'STORE_LOCKED',
        message: expect.stringContaining(`data directory ${dataDir} is in use by process ${holder.pid} (started `),
      });
    } finally {
      const exited = new Promise((resolve) => holder.on('exit', resolve));
      holder.stdin.write('close\n');
      await exited;
    }
    const reopened = await openPgliteStore({ dataDir, logger: silentLogger });
    await reopened.close();
  });

  it('runs SQL on its own thread: timers fire while a long query runs, and its result is right', async () => {
    const opened = await openPgliteStore({ dataDir: path.join(root, 'thread'), logger: silentLogger });
    try {
      let ticks = 0;
      const timer = setInterval(() => {
        ticks += 1;
      }, 1);
      const inFlight = opened.thread!.query(
        'select count(*)::int as n, sum(i)::text as total from generate_series(1, 2000000) as i',
      );
      const result = await inFlight;
      clearInterval(timer);
      expect(result.rows).toEqual([{ n: 2_000_000, total: '2000001000000' }]);
      // An in-process PGlite runs the whole statement inside one turn of the event loop: no timer could fire.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      await opened.close();
    }
  });

  it('keeps transactions whole across the thread: a failed one leaves nothing, errors keep their SQLSTATE and constraint', async () => {
    const opened = await openPgliteStore({ dataDir: path.join(root, 'tx'), logger: silentLogger });
    const thread = opened.thread!;
    try {
      await thread.query('create table t (k text primary key)');
      await expect(
        thread.transaction(async (tx) => {
          await tx.query('insert into t values ($1)', ['a']);
          await tx.query('insert into t values ($1)', ['a']);
        }),
      ).rejects.toMatchObject({ code: '23505', constraint: 't_pkey' });
      await thread.transaction(async (tx) => {
        await tx.query('insert into t values ($1)', ['b']);
        // Other statements wait until the transaction ends, then see its rows.
        const outside = thread.query('select k from t order by k');
        await tx.query('insert into t values ($1)', ['c']);
        void outside.then((r) => expect(r.rows).toEqual([{ k: 'b' }, { k: 'c' }]));
      });
      const rolledBack = await thread.transaction(async (tx) => {
        await tx.query('insert into t values ($1)', ['d']);
        await tx.rollback();
        return 'rolled back';
      });
      expect(rolledBack).toBe('rolled back');
      expect((await thread.query('select k from t order by k')).rows).toEqual([{ k: 'b' }, { k: 'c' }]);
      // The store's own transactions (a read-only snapshot) go through the same path.
      const { ticket } = await opened.store.create(newTicket());
      expect((await opened.store.getDetail(ticket.id))?.audit.map((a) => a.action)).toEqual(['ticket.created']);
    } finally {
      await opened.close();
    }
    // Closed: a statement fails as a store that cannot be reached, never hangs.
    await expect(opened.store.get('0190b7d8-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});

describe('openPostgresStore', () => {
  const name = randomDatabaseName();
  beforeAll(() => adminQuery(`create database ${name}`));
  afterAll(() => adminQuery(`drop database if exists ${name} with (force)`));

  it('accepts the asyncpg URL form, and migrates once when several processes start together', async () => {
    const url = `${POSTGRES_SERVER}/${name}`.replace('postgresql://', 'postgresql+asyncpg://');
    const opened = await Promise.all(
      [1, 2, 3].map(() => openPostgresStore({ url, logger: silentLogger, poolSize: 2 })),
    );
    try {
      expect(opened.map((o) => o.kind)).toEqual(['postgres', 'postgres', 'postgres']);
      const [a, b] = opened;
      const { ticket } = await a!.store.create(newTicket());
      expect(await b!.store.get(ticket.id)).toEqual(ticket);
      const raw = new Client({ connectionString: `${POSTGRES_SERVER}/${name}` });
      await raw.connect();
      const { rows } = await raw
        .query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations')
        .finally(() => raw.end());
      const migrationFiles = fs.readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql'));
      expect(rows[0]?.n).toBe(migrationFiles.length);
    } finally {
      await Promise.all(opened.map((o) => o.close()));
    }
  });

  it('opens its connections ahead when warmed and keeps them while idle, where a store not warmed lets them go', async () => {
    const url = `${POSTGRES_SERVER}/${name}`;
    const connections = async (applicationName: string) => {
      const raw = new Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
      await raw.connect();
      const { rows } = await raw
        .query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = $2',
          [name, applicationName],
        )
        .finally(() => raw.end());
      return rows[0]!.n;
    };
    const open = (applicationName: string) =>
      openPostgresStore({
        url: `${url}?application_name=${applicationName}`,
        logger: silentLogger,
        poolSize: 3,
        idleTimeoutMs: 200,
      });
    const [warmed, cold] = await Promise.all([open('warmed'), open('cold')]);
    try {
      await warmed.warm!();
      expect(await connections('warmed')).toBe(3);
      // Both pools open three connections at once; idle, the cold one closes them and the warmed one keeps them.
      await Promise.all([1, 2, 3].map(() => cold.store.list({ limit: 1, offset: 0 })));
      await Promise.all([1, 2, 3].map(() => warmed.store.list({ limit: 1, offset: 0 })));
      while ((await connections('cold')) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await connections('warmed')).toBe(3);
    } finally {
      await Promise.all([warmed.close(), cold.close()]);
    }
  });

  it('reports an unreachable server as STORE_UNAVAILABLE naming the host but never the password', async () => {
    const attempt = openPostgresStore({
      url: 'postgresql://twister:s3cret-pw@127.0.0.1:1/twister',
      logger: silentLogger,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1/twister'),
    });
    await expect(attempt).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret-pw') });
  });
});
