// Bad input, auth and the read-only endpoints through the real app (embedded store): clear errors, the
// right status, nothing lost and nothing run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

describe('HTTP contract', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime('pglite', { TWISTERLAB_BODY_LIMIT: '2048' });
  });
  afterAll(async () => t?.close());

  const post = (
    url: string,
    payload: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => t.app.inject({ method: 'POST', url, payload, headers });

  it('answers malformed JSON with 400 MALFORMED_JSON and no stack trace', async () => {
    const response = await post('/api/v1/tickets', '{"description": "broken');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('MALFORMED_JSON');
    expect(response.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('rejects unknown fields, naming them', async () => {
    const response = await post('/api/v1/tickets', JSON.stringify({ description: 'x', priority: 'critical' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/priority/),
    });
  });

  it('rejects an empty description and a context URL that is not http(s)', async () => {
    expect((await post('/api/v1/tickets', JSON.stringify({ description: '   ' }))).statusCode).toBe(400);
    const bad = await post(
      '/api/v1/tickets',
      JSON.stringify({ description: 'x', context: { url: 'file:///etc/passwd' } }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/context\.url/);
  });

  it('answers a body over the limit with 413 and stores nothing', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total;
    const response = await post('/api/v1/tickets', JSON.stringify({ description: 'x'.repeat(4000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).json().total).toBe(before);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await post('/api/v1/tickets', 'description=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.statusCode).toBe(415);
  });

  it('answers 404 for an unknown ticket, 400 for a malformed id, 404 for an unknown route', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/tickets/00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('TICKET_NOT_FOUND');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets/42' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/nothing' })).json().error.code).toBe('NOT_FOUND');
  });

  it('answers 404 for an unknown capability', async () => {
    const response = await post('/api/v1/mcp/nobody.nothing', '{}');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('CAPABILITY_NOT_FOUND');
  });

  it('refuses a command that is not on the allow-list with 422 COMMAND_NOT_ALLOWED and an audit row', async () => {
    const response = await post(
      '/api/v1/mcp/commander.execute_command',
      JSON.stringify({ device_id: 'local', command: 'rm -rf /tmp/nothing' }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ ok: false, error: { code: 'COMMAND_NOT_ALLOWED' } });
    const audit = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?action=capability.invoked' })).json();
    expect(audit.items[0]).toMatchObject({
      ticketId: null,
      actor: 'local',
      action: 'capability.invoked',
      details: { capability: 'commander.execute_command', ok: false, error: 'COMMAND_NOT_ALLOWED' },
    });
  });

  it('runs an allowed read-only command through JSON dispatch', async () => {
    const response = await post(
      '/api/v1/mcp/commander.execute_command',
      JSON.stringify({ device_id: 'local', command: 'uptime' }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: true, output: { exit_code: 0, argv: ['uptime'] } });
  });

  it('lists agents with their capabilities and JSON schemas', async () => {
    const { agents } = (await t.app.inject({ method: 'GET', url: '/api/v1/agents' })).json();
    const ids = agents.flatMap((a: { capabilities: Array<{ id: string }> }) => a.capabilities.map((c) => c.id));
    for (const id of [
      'sentiment.analyze_sentiment',
      'classifier.classify_ticket',
      'monitoring.get_system_metrics',
      'monitoring.check_service_health',
      'commander.execute_command',
      'resolver.resolve_ticket',
      'maestro.analyze_task',
      'maestro.orchestrate',
    ]) {
      expect(ids).toContain(id);
    }
    expect(agents[0].capabilities[0].inputSchema.type).toBe('object');
  });

  it('serves health, Prometheus metrics and the OpenAPI document', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok', store: { ok: true, kind: 'pglite' } });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/twisterlab_http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(
      /twisterlab_step_duration_seconds_count\{capability="commander.execute_command",outcome="COMMAND_NOT_ALLOWED"\} 1/,
    );
    const docs = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tickets', '/api/v1/tickets/{id}', '/orchestrate']),
    );
  });

  it('reports the MCP status with the tool count', async () => {
    const status = (await t.app.inject({ method: 'GET', url: '/api/v1/mcp/status' })).json();
    expect(status.tools).toBeGreaterThanOrEqual(9);
  });
});

describe('API keys and roles', () => {
  let t: TestRuntime;
  const keys = { admin: 'admin-key-0123456789', operator: 'operator-key-0123456789', viewer: 'viewer-key-0123456789' };
  beforeAll(async () => {
    t = await startTestRuntime('pglite', {
      TWISTERLAB_API_KEYS: `alice:admin:${keys.admin},bot:operator:${keys.operator},eve:viewer:${keys.viewer}`,
    });
  });
  afterAll(async () => t?.close());

  const submit = (key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload: { description: 'printer jam', dryRun: true },
      headers: key ? { 'x-api-key': key } : {},
    });

  it('refuses requests without a key or with a wrong one, but keeps /health open', async () => {
    expect((await submit()).statusCode).toBe(401);
    expect((await submit('wrong-key-0123456789')).json().error.code).toBe('UNAUTHORIZED');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('lets a viewer read but not submit, and records who submitted', async () => {
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { 'x-api-key': keys.viewer } })).statusCode,
    ).toBe(200);
    const denied = await submit(keys.viewer);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toMatch(/operator/);
    const accepted = await submit(keys.operator);
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json().ticket.requester).toBe('bot');
  });

  it('refuses capability calls from a viewer', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/commander.execute_command',
      payload: { device_id: 'local', command: 'uptime' },
      headers: { 'x-api-key': keys.viewer },
    });
    expect(response.statusCode).toBe(403);
  });
});
