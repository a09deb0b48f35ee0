// The embedded store's thread runs one statement at a time: intake's insert, marked with putFirst, goes ahead of
// the statements already waiting (those of tickets being processed), but never into a transaction that is open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteThread } from './pglite-thread.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-pglite-thread-'));
let thread: PgliteThread;

beforeAll(async () => {
  thread = await PgliteThread.start({ dataDir: path.join(dir, 'pgdata'), settings: [] });
  await thread.exec('create table seen (n int)');
}, 120_000);

afterAll(async () => {
  await thread?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each takes a while in WebAssembly Postgres, so the others are still waiting when the marked one arrives.
const SLOW = 'select count(*) as n from generate_series(1, 300000)';

/** Posts `slow` slow statements, then the given one; returns at which place (0-based) the given one finished. */
async function placeOf(sql: string, slow: number): Promise<number> {
  const finished: string[] = [];
  const all = [
    ...Array.from({ length: slow }, (_, i) => thread.query(SLOW).then(() => finished.push(`slow ${i}`))),
    thread.query(sql).then(() => finished.push('marked')),
  ];
  await Promise.all(all);
  return finished.indexOf('marked');
}

describe('the embedded store thread', () => {
  it('runs a statement marked first ahead of those already waiting, and an unmarked one in its turn', async () => {
    const unmarked = 'insert into seen values (1)';
    expect(await placeOf(unmarked, 12)).toBe(12);
    const marked = 'insert into seen values (2)';
    thread.putFirst(marked);
    // Only the statement running when it arrives finishes before it.
    expect(await placeOf(marked, 12)).toBeLessThanOrEqual(1);
    expect((await thread.query('select n from seen order by n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('never runs a marked statement inside an open transaction: it waits for the end', async () => {
    const marked = 'insert into seen values (3)';
    thread.putFirst(marked);
    const order: string[] = [];
    let waiting: Promise<unknown> | undefined;
    await thread.transaction(async (tx) => {
      await tx.query('insert into seen values (30)');
      waiting = thread.query(marked).then(() => order.push('marked'));
      // The transaction goes on (three more statements) while the marked one waits for it to end.
      for (const n of [31, 32, 33]) await tx.query(`insert into seen values (${n})`);
      order.push('transaction body done');
    });
    await waiting;
    expect(order).toEqual(['transaction body done', 'marked']);
    expect((await thread.query('select n from seen where n >= 3 order by n')).rows).toEqual([
      { n: 3 },
      { n: 30 },
      { n: 31 },
      { n: 32 },
      { n: 33 },
    ]);
  });
});
