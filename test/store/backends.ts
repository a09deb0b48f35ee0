// Real databases for the store tests: PGlite from a migrated in-memory template cloned per test, and
// PostgreSQL 15 on loopback with a template database per test file copied per test (audit rows cannot be
// deleted, so each test starts from an empty database rather than cleaning up).
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { Client } from 'pg';
import { silentLogger } from '../../src/core/logger.ts';
import { MIGRATIONS_FOLDER, openPostgresStore } from '../../src/adapters/store/open-store.ts';
import { DrizzleNotificationOutbox } from '../../src/adapters/store/notification-store.ts';
import { DrizzleTicketStore } from '../../src/adapters/store/ticket-store.ts';
import type { StoreDatabase } from '../../src/adapters/store/ticket-store.ts';

export const POSTGRES_SERVER = 'postgresql://postgres@127.0.0.1:5432';

export interface TestStore {
  store: DrizzleTicketStore;
  outbox: DrizzleNotificationOutbox;
  /** Runs raw SQL on the same database, for assertions the port does not expose. */
  query(text: string): Promise<Array<Record<string, unknown>>>;
  /** Statements the store has sent so far. */
  statements(): number;
  close(): Promise<void>;
}

export interface TestBackend {
  name: 'pglite' | 'postgres';
  setup(): Promise<void>;
  fresh(): Promise<TestStore>;
  teardown(): Promise<void>;
}

export function randomDatabaseName(prefix = 'twisterlab_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function adminQuery(text: string): Promise<void> {
  const admin = new Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

export function pgliteBackend(): TestBackend {
  let template: PGlite | undefined;
  return {
    name: 'pglite',
    async setup() {
      template = await PGlite.create();
      await migrate(drizzlePglite({ client: template }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async fresh() {
      if (!template) throw new Error('setup() was not called');
      const client = (await template.clone()) as PGlite;
      let statements = 0;
      const db: StoreDatabase = drizzlePglite({
        client,
        logger: {
          logQuery: () => {
            statements += 1;
          },
        },
      });
      return {
        store: new DrizzleTicketStore(db),
        outbox: new DrizzleNotificationOutbox(db),
        query: async (text) => (await client.query<Record<string, unknown>>(text)).rows,
        statements: () => statements,
        close: () => client.close(),
      };
    },
    async teardown() {
      await template?.close();
    },
  };
}

export function postgresBackend(): TestBackend {
  const templateName = randomDatabaseName('twisterlab_tmpl');
  const created: string[] = [];
  return {
    name: 'postgres',
    async setup() {
      await adminQuery(`create database ${templateName}`);
      const opened = await openPostgresStore({ url: `${POSTGRES_SERVER}/${templateName}`, logger: silentLogger });
      await opened.close();
    },
    async fresh() {
      const name = randomDatabaseName();
      await adminQuery(`create database ${name} template ${templateName}`);
      created.push(name);
      const url = `${POSTGRES_SERVER}/${name}`;
      const opened = await openPostgresStore({ url, logger: silentLogger, migrate: false });
      const raw = new Client({ connectionString: url });
      await raw.connect();
      return {
        store: opened.store,
        outbox: opened.outbox,
        query: async (text) => (await raw.query<Record<string, unknown>>(text)).rows,
        statements: () => opened.statements(),
        close: async () => {
          await raw.end();
          await opened.close();
        },
      };
    },
    async teardown() {
      for (const name of [...created, templateName]) await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
