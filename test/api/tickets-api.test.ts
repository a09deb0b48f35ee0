// The ticket loop through the REST API, on PGlite and on the real PostgreSQL: submit, process, record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { startServiceLab, type ServiceLab } from '../helpers/service-lab.ts';
import { BACKENDS, startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const statusTrail = (detail: TicketDetail) =>
  detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus);
const findingStates = (detail: TicketDetail) => detail.ticket.findings.map((f) => [f.id, f.target, f.state]).sort();
const restarted = (detail: TicketDetail, name: string) =>
  detail.audit.some((a) => a.action === 'command.executed' && JSON.stringify(a.details).includes(`restart-${name}`));

describe.each(BACKENDS)('tickets API on %s', (backend) => {
  let t: TestRuntime;
  // web: its restart command brings it back; stuck: its restart command returns and it stays down.
  let lab: ServiceLab;

  beforeAll(async () => {
    lab = await startServiceLab([{ name: 'web' }, { name: 'stuck', restartWorks: false }]);
    t = await startTestRuntime(backend, { ...lab.env, TWISTERLAB_SERVICES: 'ghost=tcp://127.0.0.1:1' });
  });
  afterAll(async () => {
    await t?.close();
    await lab?.close();
  });

  const submit = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: payload as object, headers });

  it('leaves a service that answers alone: no fault found, nothing run after diagnosis, steps and audit rows stored', async () => {
    const web = lab.service('web');
    const running = web.pid();
    const response = await submit({ description: 'The web service is down, customers get errors on checkout!' });
    expect(response.statusCode).toBe(202);
    const { ticket } = response.json();
    expect(ticket.status).toBe('new');
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(detail.ticket.outcome).toBe('no_fault_found');
    expect(detail.ticket.findings).toEqual([]);
    expect(detail.ticket.context).toEqual({});
    expect(detail.ticket.analysis?.context.serviceName).toBe('web');
    expect(detail.ticket.resolutionNote).toMatch(/^No fault found\. Checked: .*healthy eq false \(was true\)/);
    expect(detail.executions).toHaveLength(1);
    expect(detail.executions[0]!.plan.stage).toBe('diagnosis');
    expect(detail.steps.length).toBeGreaterThan(0);
    expect(detail.steps.filter((s) => s.phase !== 'diagnose')).toEqual([]);
    expect(detail.steps.find((s) => s.capability === 'monitoring.check_service_health')).toMatchObject({
      status: 'succeeded',
      output: { healthy: true },
    });
    expect(restarted(detail, 'web')).toBe(false);
    expect(web.pid()).toBe(running);
    expect(statusTrail(detail)).toEqual(['triaged', 'diagnosing', 'no_fault_found']);
    expect(detail.audit[0]!.action).toBe('ticket.created');
  });

  it('restarts a service that is down with its declared command, verifies it answers and resolves, with steps and audit rows stored', async () => {
    const web = lab.service('web');
    await web.kill();
    const before = web.pid();
    const { ticket } = (
      await submit({ description: 'The web service is down, customers get errors on checkout!' })
    ).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status, detail.ticket.escalationReason ?? '').toBe('resolved');
    expect(detail.ticket.outcome).toBe('verified_fix');
    expect(detail.ticket.resolutionNote).toMatch(/healthy eq true/);
    // The probe and the port check both saw it down; the restart fixed both.
    expect(findingStates(detail)).toEqual([
      ['network.port_closed', 'web', 'fixed'],
      ['service.unreachable', 'web', 'fixed'],
    ]);
    expect(detail.executions.map((e) => e.plan.stage)).toEqual(['diagnosis', 'remedy']);
    const fix = detail.steps.filter((s) => s.phase === 'fix');
    expect(fix).toEqual([
      expect.objectContaining({
        capability: 'commander.execute_command',
        params: expect.objectContaining({ command: 'restart-web' }),
        status: 'succeeded',
      }),
    ]);
    const verify = detail.steps.filter((s) => s.phase === 'verify');
    // The runbook's health check (also the re-check of service.unreachable), then the re-check of the port.
    expect(verify.map((s) => [s.capability, s.status])).toEqual([
      ['monitoring.check_service_health', 'succeeded'],
      ['monitoring.check_reachability', 'succeeded'],
    ]);
    expect(verify[0]!.output).toMatchObject({ healthy: true });
    expect(restarted(detail, 'web')).toBe(true);
    expect(await web.up()).toBe(true);
    expect(web.pid()).not.toBe(before);
    expect(statusTrail(detail)).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
    expect(detail.audit[0]!.action).toBe('ticket.created');
  });

  it('escalates with the failed verification attached when the service stays down after its restart', async () => {
    const stuck = lab.service('stuck');
    await stuck.kill();
    const { ticket } = (await submit({ description: 'the stuck service is down since this morning' })).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.outcome).toBe('fix_failed');
    expect(detail.ticket.escalationReason).toMatch(/verification failed: .*healthy eq true \(was false\)/);
    expect(findingStates(detail)).toEqual([
      ['network.port_closed', 'stuck', 'remains'],
      ['service.unreachable', 'stuck', 'remains'],
    ]);
    expect(restarted(detail, 'stuck')).toBe(true);
    expect(detail.executions.at(-1)!.success).toBe(false);
    expect(await stuck.up()).toBe(false);
  });

  it('hands an access request naming none of our systems to a person, with its analysis and a plain-words summary', async () => {
    const { ticket } = (
      await submit({ description: 'Please reset my password, I am locked out of my account' })
    ).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.analysis).toMatchObject({ category: 'access', intent: 'access_request' });
    expect(detail.ticket.escalationReason).toMatch(/^not diagnosed: an access request that names no system of ours/);
    expect(detail.ticket.handoffSummary).toMatch(/access request/i);
    expect(detail.ticket.team).toBeTruthy();
    expect(detail.steps).toHaveLength(0);
  });

  it('plans a dry run in full and runs nothing', async () => {
    const { ticket } = (await submit({ description: 'the web site is unreachable', dryRun: true })).json();
    const detail = await waitForTicket(t.app, ticket.id);
    expect(detail.ticket.status).toBe('planned');
    expect(detail.steps).toHaveLength(0);
    const plan = detail.executions[0]!.plan;
    // web declares a restart command: the plan is the restart runbook's, its fix and verification included.
    expect(plan.runbookId).toBe('service-restart');
    expect(plan.steps[0]).toMatchObject({
      phase: 'diagnose',
      capability: 'monitoring.check_service_health',
      params: { service_name: 'web' },
      decision: 'run',
    });
    expect(plan.steps.map((s) => s.phase)).toEqual(['diagnose', 'fix', 'verify']);
    expect(plan.steps[1]).toMatchObject({
      capability: 'commander.execute_command',
      params: { device_id: 'local', command: 'restart-web' },
    });
    expect(restarted(detail, 'web')).toBe(false);
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

  it('runs the whole loop synchronously through POST /orchestrate, fixing a service that is down', async () => {
    await lab.service('web').kill();
    const response = await t.app.inject({
      method: 'POST',
      url: '/orchestrate',
      payload: { task: 'web is not responding, please check' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.ticket.status).toBe('resolved');
    expect(body.success).toBe(true);
    expect(body.success_rate).toBe(1);
    expect(body.plan.runbook).toBe('service-restart');
    expect(body.execution_results.map((r: { phase: string }) => r.phase)).toEqual(
      expect.arrayContaining(['fix', 'verify']),
    );
    expect(await lab.service('web').up()).toBe(true);
  });

  it('answers POST /orchestrate once diagnosis finds nothing: no fault found, nothing changed', async () => {
    const web = lab.service('web');
    const running = web.pid();
    const response = await t.app.inject({
      method: 'POST',
      url: '/orchestrate',
      payload: { task: 'web is not responding, please check' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.ticket.status).toBe('no_fault_found');
    expect(body.ticket.resolution_note).toMatch(/^No fault found/);
    expect(body.execution_results.length).toBeGreaterThan(0);
    expect(body.execution_results.filter((r: { phase: string }) => r.phase !== 'diagnose')).toEqual([]);
    expect(web.pid()).toBe(running);
  });

  it('plans with a given context and runs nothing when /orchestrate is a dry run', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/orchestrate',
      payload: { task: 'it is broken again', context: { service_name: 'web' }, dry_run: true },
    });
    const body = response.json();
    expect(body.ticket.status).toBe('planned');
    expect(body.execution_results).toEqual([]);
    expect(body.plan.runbook).toBe('service-restart');
    expect(body.plan.steps[0]).toMatchObject({
      capability: 'monitoring.check_service_health',
      params: { service_name: 'web' },
      decision: 'run',
    });
  });

  it('analyses a task through maestro.analyze_task without creating a ticket', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total;
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/maestro.analyze_task',
      payload: { task: 'URGENT: web is down for all customers!!' },
    });
    expect(response.json().output).toMatchObject({
      priority: 'critical',
      sentiment: 'negative',
      urgency: 'high',
      runbook: 'service-restart',
      context: { service_name: 'web' },
      suggested_agents: expect.arrayContaining(['monitoring', 'commander']),
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total).toBe(before);
  });

  it('streams a ticket as server-sent events until processing stops', async () => {
    await lab.service('web').kill();
    const { ticket } = (await submit({ description: 'web service down again' })).json();
    await waitForTicket(t.app, ticket.id);
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticket.id}/events` });
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    expect(response.body).toMatch(/^event: snapshot\n/);
    expect(response.body).toMatch(/event: done\ndata: .*"status":"resolved"/);
  });
});
