// The ticket loop through the REST API, on PGlite and on the real PostgreSQL: submit, process, record.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

function startService(): Promise<{ server: Server; url: string; setStatus(code: number): void }> {
  let status = 200;
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'ok' : 'broken');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/health`, setStatus: (code) => (status = code) });
    });
  });
}

describe.each(BACKENDS)('tickets API on %s', (backend) => {
  let t: TestRuntime;
  let service: Awaited<ReturnType<typeof startService>>;

  beforeAll(async () => {
    service = await startService();
    t = await startTestRuntime(backend, { TWISTERLAB_SERVICES: `web=${service.url},ghost=tcp://127.0.0.1:1` });
  });
  afterAll(async () => {
    await t?.close();
    service?.server.close();
  });

  const submit = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: payload as object, headers });

  it('resolves a ticket about a service that answers, after verifying it, with steps and audit rows stored', async () => {
    service.setStatus(200);
    const response = await submit({ description: 'The web service is down, customers get errors on checkout!' });
    expect(response.statusCode).toBe(202);
    const { ticket } = response.json();
    expect(ticket.status).toBe('new');
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.ticket.context).toEqual({});
    expect(detail.ticket.analysis?.context.serviceName).toBe('web');
    expect(detail.ticket.resolutionNote).toMatch(/healthy eq true/);
    const verify = detail.steps.filter((s) => s.phase === 'verify');
    expect(verify).toHaveLength(1);
    expect(verify[0]!.status).toBe('succeeded');
    expect(detail.steps.map((s) => s.capability)).toContain('commander.execute_command');
    const transitions = detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus);
    expect(transitions).toEqual(['triaged', 'planned', 'executing', 'verifying', 'resolved']);
    expect(detail.audit[0]!.action).toBe('ticket.created');
  });

  it('escalates with the failed verification attached when the service stays broken', async () => {
    service.setStatus(500);
    const { ticket } = (await submit({ description: 'web returns 500 errors since this morning' })).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toMatch(/verification failed: .*healthy eq true \(was false\)/);
    expect(detail.executions[0]!.success).toBe(false);
    service.setStatus(200);
  });

  it('escalates a ticket no runbook fits, with its analysis attached', async () => {
    const { ticket } = (await submit({ description: 'Please reset my password, I am locked out of my account' })).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.analysis?.category).toBe('access');
    expect(detail.ticket.escalationReason).toMatch(/no runbook fits/);
    expect(detail.steps).toHaveLength(0);
  });

  it('plans a dry run in full and runs nothing', async () => {
    const { ticket } = (await submit({ description: 'the web site is unreachable', dryRun: true })).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('planned');
    expect(detail.steps).toHaveLength(0);
    const plan = detail.executions[0]!.plan as { runbookId: string; steps: Array<{ capability: string; params: object; decision: string }> };
    expect(plan.runbookId).toBe('service-unavailable');
    expect(plan.steps[0]).toMatchObject({ capability: 'monitoring.check_service_health', params: { service_name: 'web' }, decision: 'run' });
    expect(detail.executions[0]!.summary).toMatch(/dry run/);
  });

  it('replays the same ticket for a repeated Idempotency-Key and refuses it for a different body', async () => {
    const body = { description: 'disk almost full on the build host', dryRun: true };
    const first = await submit(body, { 'idempotency-key': `key-${backend}` });
    const again = await submit(body, { 'idempotency-key': `key-${backend}` });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().ticket.id).toBe(first.json().ticket.id);
    const conflict = await submit({ ...body, description: 'something else' }, { 'idempotency-key': `key-${backend}` });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('lists tickets newest first with filters and paging', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=2' })).json();
    expect(all.items).toHaveLength(2);
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items[0].createdAt >= all.items[1].createdAt).toBe(true);
    const escalated = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?status=escalated' })).json();
    expect(escalated.items.length).toBeGreaterThan(0);
    expect(escalated.items.every((i: { status: string }) => i.status === 'escalated')).toBe(true);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/tickets?status=nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/status/);
  });

  it('runs the whole loop synchronously through POST /orchestrate', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/orchestrate', payload: { task: 'web is not responding, please check' } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.success).toBe(true);
    expect(body.success_rate).toBe(1);
    expect(body.ticket.status).toBe('resolved');
    expect(body.execution_results.length).toBeGreaterThanOrEqual(2);
  });

  it('plans with a given context and runs nothing when /orchestrate is a dry run', async () => {
    const response = await t.app.inject({
      method: 'POST', url: '/orchestrate', payload: { task: 'it is broken again', context: { service_name: 'web' }, dry_run: true },
    });
    const body = response.json();
    expect(body.ticket.status).toBe('planned');
    expect(body.execution_results).toEqual([]);
    expect(body.plan.runbook).toBe('service-unavailable');
    expect(body.plan.steps[0]).toMatchObject({ capability: 'monitoring.check_service_health', params: { service_name: 'web' }, decision: 'run' });
  });

  it('analyses a task through maestro.analyze_task without creating a ticket', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total;
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/mcp/maestro.analyze_task', payload: { task: 'URGENT: web is down for all customers!!' } });
    expect(response.json().output).toMatchObject({
      priority: 'critical', sentiment: 'negative', urgency: 'high', runbook: 'service-unavailable', context: { service_name: 'web' },
      suggested_agents: expect.arrayContaining(['monitoring', 'commander']),
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total).toBe(before);
  });

  it('streams a ticket as server-sent events until processing stops', async () => {
    const { ticket } = (await submit({ description: 'web service down again' })).json();
    await waitForTicket(t.app, ticket.id);
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}/events` });
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    expect(response.body).toMatch(/^event: snapshot\n/);
    expect(response.body).toMatch(/event: done\ndata: .*"status":"resolved"/);
  });
});
