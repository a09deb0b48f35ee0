import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createServiceChecker } from '../../adapters/health/service-checker.ts';
import { createSystemMetricsSource } from '../../adapters/metrics-source/system-metrics.ts';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { parseServiceDeclarations } from '../../core/service-declarations.ts';
import { createMonitoringAgent } from './monitoring-agent.ts';

let server: Server;
let registry: CapabilityRegistry;

async function listen(s: Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  server = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 500).end());
  const port = await listen(server);
  const spare = createServer();
  const closedPort = await listen(spare);
  await new Promise((resolve) => spare.close(resolve));
  const services = parseServiceDeclarations(
    [
      `web=http://127.0.0.1:${port}/health`,
      `web-broken=http://127.0.0.1:${port}/boom`,
      'db=postgres://postgres@127.0.0.1:5432/test',
      `db-down=postgres://postgres:pw-never-shown@127.0.0.1:${closedPort}/test`,
      'cache=redis://127.0.0.1:6379',
      `web-port=tcp://127.0.0.1:${port}`,
      `nothing=tcp://127.0.0.1:${closedPort}`,
    ].join(','),
  );
  registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(
    createMonitoringAgent({
      metrics: createSystemMetricsSource({ cacheMs: 2_000 }),
      services,
      checker: createServiceChecker(),
      checkTimeoutMs: 2_000,
    }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface MetricsOutput {
  cpu: { cores: number };
  memory: { total_bytes: number; used_percent: number };
  disk: unknown[];
}

const health = (serviceName: string) =>
  registry.invoke('monitoring.check_service_health', { service_name: serviceName }, { actor: 'test' });

describe('monitoring.get_system_metrics', () => {
  it('returns plausible figures of this machine in snake_case', async () => {
    const result = await registry.invoke('monitoring.get_system_metrics', {}, { actor: 'test' });
    expect(result.ok).toBe(true);
    const output = (result as { output: MetricsOutput }).output;
    expect(output.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(output.memory.total_bytes).toBeGreaterThan(0);
    expect(output.memory.used_percent).toBeGreaterThan(0);
    expect(output.disk.length).toBeGreaterThanOrEqual(1);
    expect(output.disk[0]).toEqual({
      mount: expect.any(String),
      fs: expect.any(String),
      size_bytes: expect.any(Number),
      used_bytes: expect.any(Number),
      use_percent: expect.any(Number),
    });
    expect(Object.keys(output).sort()).toEqual([
      'collected_at',
      'cpu',
      'disk',
      'disk_max_use_percent',
      'hostname',
      'load',
      'memory',
      'uptime_seconds',
    ]);
  });

  it('accepts the local device id and refuses any other with DEVICE_NOT_FOUND', async () => {
    expect(
      await registry.invoke('monitoring.get_system_metrics', { device_id: 'local' }, { actor: 'test' }),
    ).toMatchObject({ ok: true });
    expect(
      await registry.invoke('monitoring.get_system_metrics', { device_id: 'db-01' }, { actor: 'test' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'DEVICE_NOT_FOUND' },
    });
  });

  it('rejects unknown input fields', async () => {
    expect(await registry.invoke('monitoring.get_system_metrics', { verbose: true }, { actor: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('is a read-risk capability', () => {
    expect(registry.get('monitoring.get_system_metrics')?.risk).toBe('read');
    expect(registry.get('monitoring.check_service_health')).toMatchObject({ risk: 'read', timeoutMs: 4_000 });
  });
});

describe('monitoring.check_service_health', () => {
  it.each([
    ['web', 'http', 'HTTP 200'],
    ['db', 'postgres', 'SELECT 1 ok as role postgres'],
    ['cache', 'redis', "write and delete of a probe key ok as the URL's user"],
    ['web-port', 'tcp', expect.stringContaining('ok')],
  ])('reports %s (%s) as healthy', async (name, kind, detail) => {
    const result = await health(name);
    expect(result).toMatchObject({ ok: true, output: { service_name: name, kind, healthy: true, detail } });
    expect((result as { output: { latency_ms: number } }).output.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['web-broken', 'HTTP 500 (expected below 400)', { failure: 'http_status', status_code: 500, reachable: true }],
    ['db-down', 'connection refused', { failure: 'unreachable', reachable: false }],
    ['nothing', 'connection refused', { failure: 'unreachable', reachable: false }],
  ])('reports %s as unhealthy data with why, not as an error', async (name, detail, why) => {
    expect(await health(name)).toMatchObject({
      ok: true,
      output: { service_name: name, healthy: false, detail, as_app: false, ...why },
    });
  });

  it('never shows the credentials of a target', async () => {
    expect(JSON.stringify(await health('db-down'))).not.toContain('pw-never-shown');
  });

  it('refuses an undeclared service with SERVICE_NOT_FOUND listing the known ones', async () => {
    expect(await health('mail')).toMatchObject({
      ok: false,
      error: {
        code: 'SERVICE_NOT_FOUND',
        details: { service_name: 'mail', known: expect.arrayContaining(['web', 'db', 'cache']) },
      },
    });
  });
});
