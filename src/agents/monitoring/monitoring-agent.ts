// The monitoring agent reads host metrics and checks the health of declared services.
// An unhealthy service is a finding (healthy: false), not a failed call.
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import { SERVICE_KINDS } from '../../core/ports.ts';
import type { ServiceChecker, ServiceDeclaration, SystemMetrics, SystemMetricsSource } from '../../core/ports.ts';

export interface MonitoringDeps {
  metrics: SystemMetricsSource;
  services: ServiceDeclaration[];
  checker: ServiceChecker;
  checkTimeoutMs: number;
}

// Metrics come from the machine TwisterLab runs on; remote devices will need their own source.
const LOCAL_DEVICE_ID = 'local';
const CAPABILITY_TIMEOUT_MARGIN_MS = 2_000;

const metricsInput = z.strictObject({
  device_id: z.string().min(1).max(128).optional().describe('Only "local" for now: the machine TwisterLab runs on'),
});

const metricsOutput = z.object({
  hostname: z.string(),
  cpu: z.object({ cores: z.number().int().positive(), usage_percent: z.number(), model: z.string() }),
  memory: z.object({ total_bytes: z.number(), used_bytes: z.number(), available_bytes: z.number(), used_percent: z.number() }),
  disk: z.array(z.object({ mount: z.string(), fs: z.string(), size_bytes: z.number(), used_bytes: z.number(), use_percent: z.number() })),
  load: z.object({ one: z.number(), five: z.number(), fifteen: z.number() }),
  uptime_seconds: z.number(),
  collected_at: z.string(),
});

function toOutput(m: SystemMetrics): z.input<typeof metricsOutput> {
  return {
    hostname: m.hostname,
    cpu: { cores: m.cpu.cores, usage_percent: m.cpu.usagePercent, model: m.cpu.model },
    memory: {
      total_bytes: m.memory.totalBytes,
      used_bytes: m.memory.usedBytes,
      available_bytes: m.memory.availableBytes,
      used_percent: m.memory.usedPercent,
    },
    disk: m.disk.map((d) => ({ mount: d.mount, fs: d.fs, size_bytes: d.sizeBytes, used_bytes: d.usedBytes, use_percent: d.usePercent })),
    load: { ...m.load },
    uptime_seconds: m.uptimeSeconds,
    collected_at: m.collectedAt,
  };
}

export const getSystemMetrics = defineCapability<typeof metricsInput, typeof metricsOutput, MonitoringDeps>({
  id: 'monitoring.get_system_metrics',
  description: 'CPU, memory, disk, load and uptime of the machine TwisterLab runs on',
  risk: 'read',
  input: metricsInput,
  output: metricsOutput,
  run: async (input, ctx) => {
    if (input.device_id !== undefined && input.device_id !== LOCAL_DEVICE_ID) {
      throw new TwisterError('DEVICE_NOT_FOUND', `no metrics source for device "${input.device_id}"; only "${LOCAL_DEVICE_ID}" is supported`, {
        device_id: input.device_id,
        known: [LOCAL_DEVICE_ID],
      });
    }
    return toOutput(await ctx.deps.metrics.collect(ctx.signal));
  },
});

const healthInput = z.strictObject({
  service_name: z.string().min(1).max(128).describe('Name of a service declared in configuration'),
});

const healthOutput = z.object({
  service_name: z.string(),
  kind: z.enum(SERVICE_KINDS),
  healthy: z.boolean(),
  latency_ms: z.number().nonnegative(),
  detail: z.string(),
});

export const checkServiceHealth = defineCapability<typeof healthInput, typeof healthOutput, MonitoringDeps>({
  id: 'monitoring.check_service_health',
  description: 'Check one declared service (HTTP, TCP, PostgreSQL or Redis); an unhealthy service is reported, not raised',
  risk: 'read',
  input: healthInput,
  output: healthOutput,
  run: async (input, ctx) => {
    const { services, checker, checkTimeoutMs } = ctx.deps;
    const service = services.find((s) => s.name === input.service_name);
    if (!service) {
      throw new TwisterError('SERVICE_NOT_FOUND', `no service named "${input.service_name}" is declared`, {
        service_name: input.service_name,
        known: services.map((s) => s.name),
      });
    }
    const result = await checker.check(service, { timeoutMs: checkTimeoutMs, signal: ctx.signal });
    return { service_name: service.name, kind: service.kind, healthy: result.healthy, latency_ms: result.latencyMs, detail: result.detail };
  },
});

export function createMonitoringAgent(deps: MonitoringDeps) {
  return defineAgent({
    id: 'monitoring',
    description: 'Reads host metrics and checks the health of declared services',
    deps,
    capabilities: [getSystemMetrics, { ...checkServiceHealth, timeoutMs: deps.checkTimeoutMs + CAPABILITY_TIMEOUT_MARGIN_MS }],
  });
}
