// The database agent in a whole runtime: registered with the declared services (TWISTERLAB_SERVICES and those
// declared on SSH devices, reached through the device like monitoring reaches them), over REST.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const SECRET = 'pg-pw-never-shown-1312';
let sshd: TestSshd;
let rt: TestRuntime;

const call = (capability: string, body: unknown) =>
  rt.app.inject({ method: 'POST', url: `/api/v1/mcp/${capability}`, payload: body as object });

beforeAll(async () => {
  sshd = await startTestSshd();
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeFileSync(
    inventory,
    [
      'devices:',
      '  - id: dbhost',
      '    host: 127.0.0.1',
      `    port: ${sshd.port}`,
      `    user: ${sshd.user}`,
      '    auth: { method: key, keyFile: client_key }',
      `    hostKey: "${sshd.hostPublicKey}"`,
      '    services:',
      '      dbhost-pg: postgres://postgres@127.0.0.1:5432/test',
      '      dbhost-cache: redis://127.0.0.1:6379',
    ].join('\n'),
  );
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_DEVICES_FILE: inventory,
    TWISTERLAB_SERVICES: `shop=postgres://postgres:${SECRET}@127.0.0.1:5432/test,cache=redis://127.0.0.1:6379,web=http://127.0.0.1:1/`,
  });
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
});

describe('the database agent in the runtime', () => {
  it('is listed with its five capabilities and their risks', async () => {
    const agents = (await rt.app.inject({ method: 'GET', url: '/api/v1/agents' })).json();
    const database = agents.agents.find((a: { id: string }) => a.id === 'database');
    expect(Object.fromEntries(database.capabilities.map((c: { id: string; risk: string }) => [c.id, c.risk]))).toEqual({
      'database.find_blocking_queries': 'read',
      'database.end_blocking_sessions': 'change',
      'database.connection_usage': 'read',
      'database.terminate_idle_sessions': 'destructive',
      'database.redis_memory_usage': 'read',
    });
  });

  it('reads a configured service and never returns its password', async () => {
    const response = await call('database.connection_usage', { service_name: 'shop' });
    expect(response.json()).toMatchObject({
      ok: true,
      output: { max_connections: expect.any(Number), total: expect.any(Number) },
    });
    expect(response.body).not.toContain(SECRET);
    expect((await call('database.redis_memory_usage', { service_name: 'cache' })).json()).toMatchObject({
      ok: true,
      output: { used_memory_bytes: expect.any(Number) },
    });
  });

  it('reaches services declared on an SSH device through a tunnel over that device', async () => {
    // Nothing else here uses the device: a login on its sshd is the tunnel's.
    const logins = () => sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    expect(logins()).toBe(0);
    expect((await call('database.find_blocking_queries', { service_name: 'dbhost-pg' })).json()).toMatchObject({
      ok: true,
      output: { blocked_count: expect.any(Number) },
    });
    expect((await call('database.redis_memory_usage', { service_name: 'dbhost-cache' })).json()).toMatchObject({
      ok: true,
      output: { keys: expect.any(Number) },
    });
    expect(logins()).toBeGreaterThanOrEqual(1);
  });

  it('answers 404 for an unknown service, 400 for a service of another kind, and refuses a direct destructive call', async () => {
    const unknown = await call('database.connection_usage', { service_name: 'nope' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
    const wrongKind = await call('database.find_blocking_queries', { service_name: 'web' });
    expect([wrongKind.statusCode, wrongKind.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const destructive = await call('database.terminate_idle_sessions', {
      service_name: 'shop',
      older_than_ms: 3_600_000,
    });
    expect([destructive.statusCode, destructive.json().error.code]).toEqual([403, 'APPROVAL_REQUIRED']);
    const badPids = await call('database.end_blocking_sessions', { service_name: 'shop', pids: [0] });
    expect([badPids.statusCode, badPids.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
