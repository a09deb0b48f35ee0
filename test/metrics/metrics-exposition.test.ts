// /metrics after real tickets: outcomes, escalation reasons, time to resolution, tickets by status, category
// and priority, queue wait; and the whole exposition checked by Prometheus' own `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceLab, type ServiceLab } from '../helpers/service-lab.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';
import { promtool } from '../helpers/promtool.ts';

let t: TestRuntime;
// shop: its restart command brings it back; stuck: its restart command returns and it stays down.
let lab: ServiceLab;

async function scrape(): Promise<string> {
  return (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
}

/** The value of one sample line, e.g. `twisterlab_escalations_total{reason="verification_failed"}`. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Time to resolution is observed after the final write; give it the moment it needs. */
async function scrapeUntil(series: string): Promise<string> {
  for (let i = 0; i < 100; i += 1) {
    const body = await scrape();
    if (sample(body, series) !== undefined) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${series} in /metrics`);
}

async function submit(description: string) {
  const { ticket } = (await t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { description } })).json();
  return waitForTicket(t.app, ticket.id);
}

beforeAll(async () => {
  lab = await startServiceLab([{ name: 'shop' }, { name: 'stuck', restartWorks: false }]);
  t = await startTestRuntime('pglite', lab.env);
});

afterAll(async () => {
  await t?.close();
  await lab?.close();
});

describe('Prometheus metrics', () => {
  it('counts no fault found, an autonomous resolution and a failed verification, with their times to resolution', async () => {
    expect((await submit('The shop looks down, can someone check?')).ticket.status).toBe('no_fault_found');
    await lab.service('shop').kill();
    expect((await submit('The shop is down, customers cannot pay!')).ticket.status).toBe('resolved');
    await lab.service('stuck').kill();
    expect((await submit('The stuck service is down again, errors everywhere')).ticket.status).toBe('escalated');

    const body = await scrapeUntil('twisterlab_ticket_resolution_seconds_count{outcome="escalated"}');
    expect(sample(body, 'twisterlab_ticket_outcomes_total{outcome="no_fault_found"}')).toBe(1);
    expect(sample(body, 'twisterlab_ticket_outcomes_total{outcome="resolved_autonomously"}')).toBe(1);
    expect(sample(body, 'twisterlab_ticket_outcomes_total{outcome="escalated"}')).toBe(1);
    expect(sample(body, 'twisterlab_escalations_total{reason="verification_failed"}')).toBe(1);
    expect(sample(body, 'twisterlab_verification_failures_total')).toBe(1);
    expect(sample(body, 'twisterlab_ticket_resolution_seconds_count{outcome="resolved"}')).toBe(1);
    expect(sample(body, 'twisterlab_ticket_analyses_total{path="rules"}')).toBe(3);
    expect(sample(body, 'twisterlab_queue_wait_seconds_count')).toBe(3);
    expect(body).toMatch(
      /twisterlab_step_duration_seconds_count\{capability="monitoring.check_service_health",outcome="ok"\} [1-9]/,
    );
  });

  it('reports tickets by status, category and priority from the store', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: { description: 'The disk is full', dryRun: true },
    });
    const body = await scrape();
    expect(
      sample(body, 'twisterlab_tickets{status="resolved",category="application",priority="high"}') ??
        sample(body, 'twisterlab_tickets{status="resolved",category="application",priority="critical"}'),
    ).toBe(1);
    expect(body).toMatch(
      /^twisterlab_tickets\{status="(new|triaged|planned)",category="(none|storage)",priority="[a-z]+"\} 1$/m,
    );
  });

  it("reports the embedded store thread's heap and PGlite's WebAssembly memory", async () => {
    const body = await scrape();
    expect(sample(body, 'twisterlab_store_thread_memory_bytes{kind="wasm_memory"}')).toBeGreaterThanOrEqual(
      128 * 2 ** 20,
    );
    const used = sample(body, 'twisterlab_store_thread_memory_bytes{kind="heap_used"}')!;
    expect(used).toBeGreaterThan(0);
    expect(sample(body, 'twisterlab_store_thread_memory_bytes{kind="heap_total"}')).toBeGreaterThanOrEqual(used);
  });

  it('counts an escalation by a human under its own reason', async () => {
    const id = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        payload: { description: 'Please call me back about my invoice', dryRun: true },
      })
    ).json().ticket.id;
    await waitForTicket(t.app, id);
    const escalated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/resolver.escalate',
      payload: { ticket_id: id, reason: 'the customer wants a call' },
    });
    expect(escalated.statusCode).toBe(200);
    const body = await scrapeUntil('twisterlab_escalations_total{reason="other"}');
    expect(sample(body, 'twisterlab_escalations_total{reason="other"}')).toBe(1);
    expect(sample(body, 'twisterlab_ticket_outcomes_total{outcome="escalated"}')).toBe(2);
  });

  it('passes promtool check metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    const { code, output } = await promtool(['check', 'metrics'], await scrape());
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});
