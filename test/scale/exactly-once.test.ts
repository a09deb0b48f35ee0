// 1,000 tickets through one API process (which only enqueues) and two worker processes: every ticket reaches a
// final state, diagnosed then fixed, each change step of each ticket ran exactly once (marker files), both
// workers took part, and the audit trail agrees with the files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.ts';
import { NO_TOTAL_BUDGET, FINDING, startScaleEnv, type Proc, type ScaleEnv } from './scale-kit.ts';

describe('1,000 tickets through two workers', () => {
  let env: ScaleEnv;
  let workers: Proc[];
  let metricsUrl: string;

  beforeAll(async () => {
    env = await startScaleEnv();
    await env.startApi();
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    workers = await Promise.all([
      env.startWorker({ HOST: '127.0.0.1', TWISTERLAB_WORKER_METRICS_PORT: String(port) }, ['--concurrency', '8']),
      env.startWorker({}, ['--concurrency', '8']),
    ]);
  }, NO_TOTAL_BUDGET);

  afterAll(async () => {
    await env?.close();
  });

  it(
    'processes each ticket exactly once and every one ends resolved',
    async () => {
      const submitted = await env.submit('once', 1_000, 16);
      expect(submitted.filter((s) => s.status !== 202)).toEqual([]);
      const ids = submitted.map((s) => s.id);
      const statuses = await env.waitAllFinal(ids);
      expect([...statuses.values()].filter((s) => s !== 'resolved')).toEqual([]);

      const effects = env.effects();
      expect(effects.size).toBe(1_000);
      for (const { tag } of submitted) {
        expect(Object.fromEntries(effects.get(tag) ?? []), tag).toEqual({ s0: 1, s1: 1 });
      }
      expect(env.flagged()).toEqual(new Set(submitted.map((s) => s.tag)));
      // Each ticket was diagnosed (the finding confirmed), then fixed, and verification saw the finding gone.
      const [outcomes] = await env.query(
        `select count(*)::int as n from tickets where outcome = 'verified_fix' and findings @> '[{"id": "${FINDING}", "state": "fixed"}]'`,
      );
      expect(outcomes!.n).toBe(1_000);
      const stages = await env.query(
        `select plan->>'stage' as stage, count(*)::int as n from executions group by 1 order by 1`,
      );
      expect(stages).toEqual([
        { stage: 'diagnosis', n: 1_000 },
        { stage: 'remedy', n: 1_000 },
      ]);
      // The store saw the same: five commands per ticket (the check, three changes, the check again), each change
      // claimed once under its idempotency key; every planned step stored exactly once (the diagnosis also holds
      // the other hypotheses' checks of the host, which the probe egress rule refuses), four of them the remedy's.
      const [commands] = await env.query(
        `select count(*)::int as n, count(distinct ticket_id)::int as tickets from audit_events where action = 'command.executed'`,
      );
      expect(commands).toEqual({ n: 5_000, tickets: 1_000 });
      const [steps] =
        await env.query(`select count(*)::int as n, count(distinct (execution_id, idx))::int as distinct_steps,
      (select sum(jsonb_array_length(plan->'steps'))::int from executions) as planned,
      count(*) filter (where phase <> 'diagnose')::int as remedy from steps`);
      expect(steps!.planned).toBeGreaterThanOrEqual(5_000);
      expect(steps).toEqual({
        n: steps!.planned,
        distinct_steps: steps!.planned,
        planned: steps!.planned,
        remedy: 4_000,
      });
      // Both workers took a fair share (each logs the commands it runs).
      const ran = workers.map((w) => (w.output().match(/"msg":"running command"/g) ?? []).length);
      expect(ran[0]! + ran[1]!).toBe(5_000);
      expect(Math.min(...ran)).toBeGreaterThan(1_000);
      // The first worker's own metrics: its dispatch latencies and the tickets it resolved.
      expect((await fetch(`${metricsUrl}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1]);
      expect(value('twisterlab_queue_wait_seconds_count')).toBe(ran[0]! / 5);
      expect(value('twisterlab_ticket_outcomes_total\\{outcome="resolved_autonomously"\\}')).toBe(ran[0]! / 5);
    },
    NO_TOTAL_BUDGET,
  );
});
