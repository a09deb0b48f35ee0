import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { guardStoreErrors } from './store-errors.ts';
import { DrizzleTicketStore } from './ticket-store.ts';

describe('store errors', () => {
  const downPool = new Pool({
    connectionString: 'postgresql://postgres@127.0.0.1:1/none',
    connectionTimeoutMillis: 2_000,
  });
  const upPool = new Pool({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test', max: 1 });
  afterAll(async () => {
    await downPool.end();
    await upPool.end();
  });

  it('reports a database that cannot be reached as STORE_UNAVAILABLE, which callers may retry', async () => {
    const store = new DrizzleTicketStore(drizzle({ client: downPool }));
    await expect(store.ping()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      retryable: true,
      message: "the store's database (PostgreSQL) cannot be reached (ECONNREFUSED); try again shortly",
    });
    await expect(store.get(crypto.randomUUID())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('lets an SQL error through unchanged', async () => {
    const db = drizzle({ client: upPool });
    const failing = guardStoreErrors(() => db.execute('select * from no_such_table_here'));
    await expect(failing).rejects.toThrow(/no_such_table_here/);
    await expect(failing).rejects.not.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
