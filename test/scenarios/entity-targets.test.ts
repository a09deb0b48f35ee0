// Where the planner points a probe: a certificate ticket naming a declared https service probes that service's
// endpoint, and a written host:port is probed on the written port. Dry-run tickets: planned, nothing runs.
// (test/scenarios/entity-targets.test.ts — passes with planner-scope.patch, two of three fail without it)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { waitForTicket } from '../helpers/test-runtime.ts';
import { startScenario, type Scenario } from './scenario-kit.ts';

let scenario: Scenario;

beforeAll(async () => {
  scenario = await startScenario([
    { name: 'portal', url: 'https://portal.example.com/health', description: 'employee portal' },
    { name: 'billing', url: 'https://billing.example.com:8443/health' },
  ]);
});

afterAll(async () => {
  await scenario?.close();
});

async function planOf(
  description: string,
): Promise<{ runbookId?: string; params: Record<string, unknown>[]; reason: string | null }> {
  const response = await scenario.rt.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    payload: { description, dryRun: true },
  });
  const id = (response.json() as { ticket: { id: string } }).ticket.id;
  const detail: TicketDetail = await waitForTicket(scenario.rt.app, id, 60_000);
  const plan = detail.executions.at(-1)!.plan as {
    runbookId?: string;
    steps: Array<{ params: Record<string, unknown> }>;
  };
  return {
    runbookId: plan.runbookId,
    params: plan.steps.map((s) => s.params),
    reason: detail.ticket.escalationReason ?? null,
  };
}

describe('probe targets', () => {
  it('probes the endpoint of the https service a certificate ticket names', async () => {
    expect(await planOf('the TLS certificate of portal expires in 3 days')).toMatchObject({
      runbookId: 'certificate-expiry',
      params: [{ host: 'portal.example.com', port: 443 }],
    });
    expect(await planOf('billing shows an expired certificate warning')).toMatchObject({
      runbookId: 'certificate-expiry',
      params: [{ host: 'billing.example.com', port: 8443 }],
    });
  });

  it('probes a written host:port on its port, not on 443', async () => {
    const plan = await planOf('127.0.0.1:27000 is unreachable, connection refused');
    expect(plan).toMatchObject({ runbookId: 'network-reachability' });
    expect(plan.params[0]).toMatchObject({ host: '127.0.0.1', port: 27000 });
  });

  it("probes a written host without a port on the default, and a URL on its scheme's port", async () => {
    expect((await planOf('the certificate of intranet.example.com expired')).params[0]).toMatchObject({
      host: 'intranet.example.com',
      port: 443,
    });
    expect((await planOf('cannot connect to http://10.1.2.3/status, connection refused')).params[0]).toMatchObject({
      host: '10.1.2.3',
      port: 80,
    });
  });
});
