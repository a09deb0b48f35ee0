import { describe, expect, it } from 'vitest';
import { createNetworkProbes } from '../../adapters/network/network-probes.ts';
import { createServiceChecker } from '../../adapters/health/service-checker.ts';
import { createSystemMetricsSource } from '../../adapters/metrics-source/system-metrics.ts';
import { silentLogger } from '../../core/logger.ts';
import { EMPTY_ALLOW_LIST } from '../../core/network-guard.ts';
import type { Device, DeviceInventory } from '../../core/ports.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { createMonitoringAgent } from './monitoring-agent.ts';

const edge: Device = { id: 'edge', kind: 'ssh', description: '', allow: [] };
const inventory: DeviceInventory = {
  list: () => [edge],
  get: (id) => (id === 'edge' ? edge : undefined),
  executor: () => undefined,
};
const deviceCalls: string[] = [];

const registry = new CapabilityRegistry({ logger: silentLogger });
registry.register(
  createMonitoringAgent({
    metrics: createSystemMetricsSource(),
    services: [],
    checker: createServiceChecker(),
    checkTimeoutMs: 1_000,
    inventory,
    probes: createNetworkProbes({
      allow: EMPTY_ALLOW_LIST,
      declaredEndpoints: () => [],
      isLocal: (id) => id === 'local',
      resolve: async (name) => {
        throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      },
      fromDevice: async (deviceId, host) => {
        deviceCalls.push(`${deviceId} ${host}`);
        return { reachable: true, latencyMs: 1 };
      },
    }),
  }),
);

describe('network checks of a name that does not resolve here', () => {
  it('report it unreachable from this machine and do not try it from the device, whose answer could not be judged', async () => {
    const result = await registry.invoke(
      'monitoring.check_reachability',
      { host: 'db.nowhere.example', port: 5432, device_id: 'edge' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({
      ok: true,
      output: {
        from_platform: {
          reachable: false,
          latency_ms: 0,
          error: 'db.nowhere.example could not be resolved (ENOTFOUND)',
        },
        from_device: {
          device_id: 'edge',
          reachable: false,
          error: expect.stringMatching(/^not tried from the device/),
        },
      },
    });
    expect(deviceCalls).toEqual([]);
  });

  it('fail a certificate check with SERVICE_CHECK_FAILED', async () => {
    const result = await registry.invoke(
      'monitoring.check_certificate',
      { host: 'www.nowhere.example' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_CHECK_FAILED', message: expect.stringMatching(/could not be resolved/) },
    });
  });
});
