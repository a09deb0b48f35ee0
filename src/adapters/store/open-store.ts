// Opening the store: embedded PGlite in a locked data directory, or PostgreSQL through a pool. Both apply
// the committed migrations from drizzle/ unless told not to (`twisterlab migrate` runs only that).
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { Logger as DrizzleLogger } from 'drizzle-orm';
import type { Pool, PoolClient } from 'pg';
import { TwisterError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { DrizzleBackupStore } from './backup-store.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { DrizzleDeviceStore } from './device-store.ts';
import { DrizzleNotificationOutbox } from './notification-store.ts';
import { PgliteThread } from './pglite-thread.ts';
import { DrizzleTicketStore } from './ticket-store.ts';

// Resolved from this module, not the working directory: src/adapters/store and dist/adapters/store
// both sit three levels under the package root.
export const MIGRATIONS_FOLDER = path.join(PACKAGE_ROOT, 'drizzle');

// Any fixed 64-bit key; every TwisterLab process that migrates takes this one advisory lock first.
const MIGRATION_LOCK_KEY = 7_316_845_220_914;

export interface OpenedStore {
  store: DrizzleTicketStore;
  devices: DrizzleDeviceStore;
  backups: DrizzleBackupStore;
  outbox: DrizzleNotificationOutbox;
  kind: 'pglite' | 'postgres';
  /** Closes the database (and releases the data directory lock). Safe to call more than once. */
  close(): Promise<void>;
  /** Statements this process sent to the database so far (every query drizzle runs, transaction control included). */
  statements(): number;
  /** The embedded database's thread, for its memory figures (PGlite only). */
  thread?: PgliteThread;
  /**
   * PostgreSQL only: opens the pool's connections now and keeps them open from then on (a long-running server's
   * choice, not every short-lived store's): without it, the first burst after a start or a quiet half-minute pays
   * a backend's start-up per connection while requests queue for it.
   */
  warm?(): Promise<void>;
}

export interface PgliteStoreOptions {
  dataDir: string;
  logger: Logger;
  /** Apply pending migrations after opening; default true. */
  migrate?: boolean;
}

// The embedded Postgres's memory, bounded: its buffer cache and per-sort memory are small, since one process
// with a few hundred tickets a minute needs little of either (PGlite's defaults are a server's).
export const PGLITE_SETTINGS = [
  'shared_buffers = 16MB',
  'work_mem = 2MB',
  'maintenance_work_mem = 16MB',
  'temp_buffers = 2MB',
];

// PGlite runs in a worker thread (pglite-thread.ts): the main thread only sends statements and reads rows.
// The data directory lock is this process's, taken before the thread starts and released after it closed.
export async function openPgliteStore(options: PgliteStoreOptions): Promise<OpenedStore> {
  const { dataDir, logger } = options;
  const lock = acquireDataDirLock(dataDir, logger);
  let thread: PgliteThread | undefined;
  try {
    const pgdata = path.join(dataDir, 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true });
    thread = await PgliteThread.start({ dataDir: pgdata, settings: PGLITE_SETTINGS });
    // Each store loads its own driver: a process on PostgreSQL never loads PGlite's, nor one on PGlite pg.
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    const counter = new StatementCounter();
    const db = drizzlePglite({ client: thread.asPglite(), logger: counter });
    if (options.migrate !== false) await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    logger.info({ dataDir }, 'embedded store open');
    const opened = thread;
    const store = new DrizzleTicketStore(db);
    opened.putFirst(store.intakeSql);
    return {
      store,
      devices: new DrizzleDeviceStore(db),
      backups: new DrizzleBackupStore(db),
      outbox: new DrizzleNotificationOutbox(db),
      kind: 'pglite',
      statements: () => counter.count,
      thread: opened,
      close: once(async () => {
        try {
          await opened.close();
        } finally {
          lock.release();
        }
      }),
    };
  } catch (error) {
    await thread?.close().catch(() => {});
    lock.release();
    throw error;
  }
}

export interface PostgresStoreOptions {
  url: string;
  logger: Logger;
  /** Most connections the pool opens; default 10. */
  poolSize?: number;
  /** Server-side limit on one statement; default 30 s. */
  statementTimeoutMs?: number;
  /** Opening a connection, or waiting for a free one, fails with STORE_UNAVAILABLE after this; default 3 s. */
  connectTimeoutMs?: number;
  /** An idle connection is closed after this (unless `warm` made the pool keep it); default 30 s. */
  idleTimeoutMs?: number;
  migrate?: boolean;
}

/** Accepts the SQLAlchemy-style URLs of the original deployment (`postgresql+asyncpg://`). */
export function normaliseDatabaseUrl(url: string): string {
  return url.replace(/^postgres(?:ql)?\+asyncpg:\/\//i, 'postgresql://');
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<OpenedStore> {
  const url = normaliseDatabaseUrl(options.url);
  const target = describeTarget(url);
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  // While PostgreSQL is down, requests must fail fast (503) rather than hang: a refused connection fails at once,
  // an unanswered one after connectTimeoutMs, a server that stops answering mid-query after query_timeout, and
  // keepalives notice a dead peer on an idle connection. Nothing to reset when it is back: the pool reconnects.
  const {
    default: { Pool },
  } = await import('pg');
  const poolSize = options.poolSize ?? 10;
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'twisterlab',
  });
  // An idle client losing its connection (a restart, an admin shutdown) emits here; without a listener the
  // process would crash.
  pool.on('error', (error) =>
    options.logger.warn(
      { err: error.message, code: (error as { code?: string }).code, target },
      'idle PostgreSQL connection lost',
    ),
  );
  try {
    const client = await connect(pool, url, target);
    try {
      if (options.migrate !== false) await migrateWithLock(client, options.logger);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  options.logger.info({ target }, 'PostgreSQL store open');
  const { drizzle: drizzlePg } = await import('drizzle-orm/node-postgres');
  const counter = new StatementCounter();
  const db = drizzlePg({ client: pool, logger: counter });
  return {
    store: new DrizzleTicketStore(db),
    devices: new DrizzleDeviceStore(db),
    backups: new DrizzleBackupStore(db),
    outbox: new DrizzleNotificationOutbox(db),
    kind: 'postgres',
    statements: () => counter.count,
    close: once(() => pool.end()),
    async warm() {
      // Connections up to `min` are never closed for being idle (a lost one is replaced on the next demand).
      pool.options.min = poolSize;
      const clients = await Promise.all(Array.from({ length: poolSize }, () => connect(pool, url, target)));
      for (const client of clients) client.release();
    },
  };
}

async function connect(pool: Pool, url: string, target: string): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    const reason = redact(error instanceof Error ? error.message : String(error), url);
    throw new TwisterError('STORE_UNAVAILABLE', `cannot connect to PostgreSQL at ${target}: ${reason}`, { target });
  }
}

// Several API and worker processes may start together: one migrates, the others wait and then find
// nothing left to apply.
async function migrateWithLock(client: PoolClient, logger: Logger): Promise<void> {
  await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    const [{ drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ]);
    await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    logger.debug('migrations applied');
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/** host:port/database, never the user's password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function redact(message: string, url: string): string {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return message;
  }
  return password ? message.split(password).join('***') : message;
}

/** Counts the statements drizzle sends (its logger hook sees each one): what one ticket costs the database. */
class StatementCounter implements DrizzleLogger {
  count = 0;
  logQuery(): void {
    this.count += 1;
  }
}

function once(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= run());
}
