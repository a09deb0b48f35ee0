// Redis killed under load and started again empty (no persistence: every queued job is gone): the API keeps
// answering 202 (the ticket is committed, the enqueue left to the reconciler), and every acknowledged ticket
// still reaches a final state, each step run once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_TOTAL_BUDGET,
  startScaleEnv,
  untilProgressStops,
  type Proc,
  type ScaleEnv,
  type Submitted,
} from './scale-kit.ts';

describe('Redis restarted under load', () => {
  let env: ScaleEnv;
  let api: Proc;
  let workers: Proc[];

  beforeAll(async () => {
    env = await startScaleEnv();
    api = await env.startApi();
    workers = await Promise.all([
      env.startWorker({}, ['--concurrency', '4']),
      env.startWorker({}, ['--concurrency', '4']),
    ]);
  }, NO_TOTAL_BUDGET);

  afterAll(async () => {
    await env?.close();
  });

  it(
    'loses no acknowledged ticket: those committed while it was down and those whose jobs vanished are all finished',
    async () => {
      const before = await env.submit('before', 150, 4);
      await env.redis.kill();
      // The API does not hang on the missing Redis: each POST is answered while it is down (Redis comes back only
      // after the last one). The wait fails if the answers stop coming.
      let settled: Submitted[] | Error | undefined;
      env.submit('during', 50, 4).then(
        (s) => (settled = s),
        (e: unknown) => (settled = e as Error),
      );
      const during = await untilProgressStops(
        () => {
          if (settled instanceof Error) throw settled;
          return settled;
        },
        () => env.answered(),
        () => `no answer to a POST after ${env.answered()} while Redis is down`,
      );
      await new Promise((r) => setTimeout(r, 1_000));
      await env.redis.start();
      const after = await env.submit('after', 50, 4);
      const submitted: Submitted[] = [...before, ...during, ...after];

      // The API never failed a POST for want of Redis; the enqueue was left to the reconciler.
      expect(submitted.filter((s) => s.status !== 202)).toEqual([]);
      expect(api.output()).toMatch(/the reconciler will queue it once Redis is back/);

      const statuses = await env.waitAllFinal(submitted.map((s) => s.id));
      expect([...statuses.values()].filter((s) => s !== 'resolved')).toEqual([]);
      const effects = env.effects();
      for (const { tag } of submitted)
        expect(Object.fromEntries(effects.get(tag) ?? []), tag).toEqual({ s0: 1, s1: 1 });
      expect(env.flagged()).toEqual(new Set(submitted.map((s) => s.tag)));
      // Some of them only ran because a reconciler found them.
      expect([api, ...workers].some((p) => /queued tickets that needed work but had no job/.test(p.output()))).toBe(
        true,
      );
    },
    NO_TOTAL_BUDGET,
  );
});
