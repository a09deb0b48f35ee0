// Workers stopping under load, on real processes: SIGTERM lets the tickets in flight finish and exits 0 with no
// ticket failed because of it; kill -9 leaves tickets that the other worker takes over (stalled-job recovery, the
// dead worker's lease lapsing) and every one reaches a final state without any step running twice.
import { afterEach, describe, expect, it } from 'vitest';
import { NO_TOTAL_BUDGET, startScaleEnv, untilProgressStops, type Proc, type ScaleEnv } from './scale-kit.ts';

const commandsRun = (worker: Proc) => (worker.output().match(/"msg":"running command"/g) ?? []).length;

/** Waits until `worker` ran `n` commands; fails only when all workers' logs stopped growing for a long time. */
async function untilRan(worker: Proc, n: number, workers: Proc[], what: string): Promise<void> {
  await untilProgressStops(
    () => (commandsRun(worker) >= n ? true : undefined),
    () => workers.map((w) => w.output().length).join(','),
    () => `${what}: ${commandsRun(worker)} of ${n} commands`,
    { pollMs: 20 },
  );
}

describe('workers stopping under load', () => {
  let env: ScaleEnv | undefined;

  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it(
    'SIGTERM: the worker takes no new tickets, finishes those in flight, exits 0, and every ticket is resolved',
    async () => {
      env = await startScaleEnv({ sleepSeconds: 0.3 });
      await env.startApi();
      const [leaving, staying] = await Promise.all([
        env.startWorker({ TWISTERLAB_SHUTDOWN_TIMEOUT_MS: '20000' }, ['--concurrency', '8']),
        env.startWorker({}, ['--concurrency', '8']),
      ]);
      const submitting = env.submit('term', 200, 8);
      await untilRan(leaving!, 20, [leaving!, staying!], 'the first worker to be busy');
      leaving!.child.kill('SIGTERM');
      const exit = await leaving!.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(leaving!.output()).toContain('worker stopped');
      expect(leaving!.output()).not.toContain('went back to the queue');
      const submitted = await submitting;
      expect(submitted.filter((s) => s.status !== 202)).toEqual([]);
      const statuses = await env.waitAllFinal(submitted.map((s) => s.id));
      expect([...statuses.values()].filter((s) => s !== 'resolved')).toEqual([]);
      const effects = env.effects();
      for (const { tag } of submitted)
        expect(Object.fromEntries(effects.get(tag) ?? []), tag).toEqual({ s0: 1, s1: 1 });
      expect(env.flagged()).toEqual(new Set(submitted.map((s) => s.tag)));
      // The worker that stayed did the rest after the other one left.
      expect(commandsRun(staying!)).toBeGreaterThan(0);
      // Per ticket: the check, marker, sleep, marker, flag, the check again.
      expect(commandsRun(leaving!) + commandsRun(staying!)).toBe(200 * 6);
    },
    NO_TOTAL_BUDGET,
  );

  it(
    'kill -9: the tickets the dead worker held are taken over and reach a final state, and no step runs twice',
    async () => {
      env = await startScaleEnv({ sleepSeconds: 1 });
      await env.startApi();
      const [doomed, survivor] = await Promise.all([
        env.startWorker({}, ['--concurrency', '8']),
        env.startWorker({}, ['--concurrency', '8']),
      ]);
      const submitted = await env.submit('kill', 40, 8);
      expect(submitted.filter((s) => s.status !== 202)).toEqual([]);
      // Killed while it has tickets in the middle of their plans (the sleep step takes a second).
      await untilRan(doomed!, 12, [doomed!, survivor!], 'the doomed worker to be in the middle of plans');
      doomed!.child.kill('SIGKILL');
      expect((await doomed!.exited).signal).toBe('SIGKILL');
      const ids = submitted.map((s) => s.id);
      const statuses = await env.waitAllFinal(ids);
      expect(survivor!.output()).toMatch(/stopped renewing its lock on a ticket/);

      // Ground truth: no marker step ran twice for any ticket.
      const effects = env.effects();
      for (const { tag } of submitted) {
        for (const [step, count] of effects.get(tag) ?? []) expect(count, `${tag} ${step}`).toBe(1);
      }
      // A resolved ticket ran each of its steps exactly once and has its flag; one cut off mid-step was resumed
      // after the finished steps and escalated rather than running the interrupted (not idempotent) command again.
      const held = submitted.filter((s) => statuses.get(s.id) !== 'resolved');
      expect(held.length).toBeGreaterThan(0);
      expect(held.length).toBeLessThanOrEqual(8);
      const flagged = env.flagged();
      for (const { tag, id } of submitted) {
        if (statuses.get(id) === 'resolved') {
          expect(Object.fromEntries(effects.get(tag)!), tag).toEqual({ s0: 1, s1: 1 });
          expect(flagged.has(tag), tag).toBe(true);
        } else expect(statuses.get(id)).toBe('escalated');
      }
      const reasons = await env.query(`select escalation_reason from tickets where status = 'escalated'`);
      for (const { escalation_reason: reason } of reasons)
        expect(String(reason)).toMatch(/interrupted|cut off|did not finish/i);
    },
    NO_TOTAL_BUDGET,
  );
});
