// Prepared statements give what PGlite's own `query` gives: the same rows, fields, affected rows and errors, for
// every kind of statement the store sends, on a real PGlite.
import { PGlite, types } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedStatements } from './pglite-prepared.ts';

const asText = (value: string) => value;
const PARSERS = { [types.TIMESTAMPTZ]: asText };

let db: PGlite;
let prepared: PreparedStatements;

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`create table items (id uuid primary key, name text not null unique, data jsonb, tags text[],
    n int default 0, at timestamptz default '2026-01-02T03:04:05Z')`);
  prepared = new PreparedStatements(db, PARSERS);
});
afterAll(() => db.close());

const cases: Array<[string, string, () => unknown[], 'object' | 'array']> = [
  [
    'an insert returning nothing',
    'insert into items (id, name, data, tags) values (gen_random_uuid(), $1, $2, $3)',
    () => [`item-${Math.random()}`, JSON.stringify({ a: [1, 'two', null] }), ['x', 'y']],
    'object',
  ],
  ['a select of rows', 'select name, data, tags, n, at from items where n >= $1 order by name', () => [0], 'object'],
  ['a select as arrays', 'select name, n from items where n >= $1 order by name', () => [0], 'array'],
  ['an update returning rows', 'update items set n = n + 1 where n < $1 returning name, n', () => [1_000], 'object'],
  ['a null parameter', 'select count(*)::int as c from items where data is distinct from $1', () => [null], 'object'],
  [
    'a data-modifying CTE',
    `with upd as (update items set data = $1 where n >= 0 returning id) select count(*)::int as changed from upd`,
    () => [JSON.stringify({ b: 2 })],
    'object',
  ],
];

describe('PGlite prepared statements', () => {
  it.each(cases)('match query() for %s, the first time and once prepared', async (_name, sql, params, rowMode) => {
    for (let round = 0; round < 3; round += 1) {
      const p = params();
      // The same statement on the same data: the plain way inside a rolled-back transaction, then prepared.
      const plain = await db.transaction(async (tx) => {
        const r = await tx.query(sql, p, { rowMode, parsers: PARSERS });
        await tx.rollback();
        return r;
      });
      const viaPrepared = await prepared.query(sql, p, rowMode);
      expect({ rows: viaPrepared.rows, fields: viaPrepared.fields, affectedRows: viaPrepared.affectedRows }).toEqual({
        rows: plain.rows,
        fields: plain.fields,
        affectedRows: plain.affectedRows,
      });
    }
  });

  it('fails like query() does, and keeps working after the error', async () => {
    const sql = 'insert into items (id, name) values (gen_random_uuid(), $1)';
    await prepared.query(sql, ['unique-one'], 'object');
    await prepared.query(sql, ['unique-two'], 'object');
    const plainError = (await db.query(sql, ['unique-one']).then(
      () => ({}),
      (error: unknown) => error,
    )) as Record<string, unknown>;
    const preparedError = await prepared.query(sql, ['unique-one'], 'object').then(
      () => ({}),
      (error: unknown) => error,
    );
    expect(plainError.code).toBe('23505');
    expect(preparedError).toMatchObject({
      code: '23505',
      constraint: plainError.constraint,
      message: plainError.message,
    });
    expect(
      (await prepared.query('select count(*)::int as c from items where name = $1', ['unique-two'], 'object')).rows,
    ).toEqual([{ c: 1 }]);
    expect(
      (await prepared.query('select count(*)::int as c from items where name = $1', ['unique-two'], 'object')).rows,
    ).toEqual([{ c: 1 }]);
  });

  it('keeps every statement apart when the same one is first prepared by calls running at once', async () => {
    // Calls that wait for PGlite at the same time may each find the statement unprepared; a name given twice
    // then made a later statement's preparation fail ("already exists") on every call.
    const first = 'select $1::int + 1 as v';
    await prepared.query(first, [0], 'object');
    const together = await Promise.all([1, 2, 3].map((n) => prepared.query(first, [n], 'object')));
    expect(together.map((r) => r.rows)).toEqual([[{ v: 2 }], [{ v: 3 }], [{ v: 4 }]]);
    for (const [n, sql] of [
      'select $1::int + 10 as v',
      'select $1::int + 20 as v',
      'select $1::int + 30 as v',
    ].entries())
      for (let round = 0; round < 3; round += 1)
        expect((await prepared.query(sql, [round], 'object')).rows).toEqual([{ v: round + 10 * (n + 1) }]);
    expect((await prepared.query(first, [5], 'object')).rows).toEqual([{ v: 6 }]);
  });

  it('waits for an open transaction, as query() does', async () => {
    const order: string[] = [];
    let release = () => {};
    const held = db.transaction(async (tx) => {
      await tx.query('select 1');
      order.push('transaction open');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('transaction ends');
    });
    // Wait until the transaction holds PGlite (progress, not a time budget), then query beside it.
    while (!order.includes('transaction open')) await new Promise((r) => setTimeout(r, 5));
    const waiting = prepared
      .query('select count(*)::int as c from items where n >= $1', [0], 'object')
      .then(() => order.push('query ran'));
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual(['transaction open']);
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(['transaction open', 'transaction ends', 'query ran']);
  });
});
