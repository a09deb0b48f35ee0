// 1,000 tickets through one API process (which only enqueues) and two worker processes: every ticket reaches a
// final state, each step of each ticket ran exactly once (marker files), both workers took part, and the audit
// trail agrees with the files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScaleEnv, type Proc, type ScaleEnv } from './scale-kit.ts';

describe('1,000 tickets through two workers', () => {
  let env: ScaleEnv;
  let workers: Proc[];

  beforeAll(async () => {
    env = await startScaleEnv();
    await env.startApi();
    workers = await Promise.all([env.startWorker({}, ['--concurrency', '8']), env.startWorker({}, ['--concurrency', '8'])]);
  }, 90_000);

  afterAll(async () => {
    await env?.close();
  });

  it('processes each ticket exactly once and every one ends resolved', async () => {
    const submitted = await env.submit('once', 1_000, 16);
    expect(submitted.filter((s) => s.status !== 202)).toEqual([]);
    const ids = submitted.map((s) => s.id);
    const statuses = await env.waitAllFinal(ids, 100_000);
    expect([...statuses.values()].filter((s) => s !== 'resolved')).toEqual([]);

    const effects = env.effects();
    expect(effects.size).toBe(1_000);
    for (const { tag } of submitted) {
      expect(Object.fromEntries(effects.get(tag) ?? []), tag).toEqual({ s0: 1, s1: 1, s2: 1 });
    }
    // The store saw the same: three commands per ticket, each claimed once under its idempotency key.
    const [commands] = await env.query(`select count(*)::int as n, count(distinct ticket_id)::int as tickets from audit_events where action = 'command.executed'`);
    expect(commands).toEqual({ n: 3_000, tickets: 1_000 });
    const [steps] = await env.query(`select count(*)::int as n from steps`);
    expect(steps!.n).toBe(3_000);
    // Both workers took a fair share (each logs the commands it runs).
    const ran = workers.map((w) => (w.output().match(/"msg":"running command"/g) ?? []).length);
    expect(ran[0]! + ran[1]!).toBe(3_000);
    expect(Math.min(...ran)).toBeGreaterThan(600);
  }, 120_000);
});
