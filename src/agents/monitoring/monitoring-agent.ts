// The monitoring agent reads host metrics and checks the health of declared services.
// An unhealthy service is a finding (healthy: false), not a failed call.
import { z } from 'zod';
import { defineAgent, defineCapability, type CapabilityContext } from '../../core/capability.ts';
import { runGuarded, type CommandAudit } from '../../core/command-guard.ts';
import { TwisterError } from '../../core/errors.ts';
import { HEALTH_FAILURES, SERVICE_KINDS, type HealthResult } from '../../core/ports.ts';
import type { NetworkProbes } from '../../core/network-probes.ts';
import type {
  CommandExecutor,
  Device,
  DeviceInventory,
  ServiceChecker,
  ServiceDeclaration,
  SystemMetrics,
  SystemMetricsSource,
} from '../../core/ports.ts';
import { checkCertificate, checkReachability } from './network-checks.ts';
import {
  CPU_SAMPLE_MS,
  cpuUsagePercent,
  METRICS_COMMANDS,
  METRICS_RULES,
  parseBasics,
  parseDf,
  parseMeminfo,
  parseModel,
  parseProcStat,
} from '../../core/remote-metrics.ts';

export interface MonitoringDeps {
  /** This machine's metrics (device `local`). */
  metrics: SystemMetricsSource;
  services: ServiceDeclaration[];
  checker: ServiceChecker;
  checkTimeoutMs: number;
  /** Other devices: their metrics are read from /proc and df through their executor (SSH). */
  inventory?: DeviceInventory;
  /** Every metrics command on a remote device is audited like any other command. */
  audit?: CommandAudit;
  commandTimeoutMs?: number;
  /** Certificate and reachability checks; without them those two capabilities are not offered. */
  probes?: NetworkProbes;
}

const LOCAL_DEVICE_ID = 'local';
const METRICS_OUTPUT_CAP = 256 * 1024;
const CAPABILITY_TIMEOUT_MARGIN_MS = 2_000;

const metricsInput = z.strictObject({
  device_id: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('A device of the inventory; "local" (the default) is the machine TwisterLab runs on'),
});

const metricsOutput = z.object({
  hostname: z.string(),
  cpu: z.object({ cores: z.number().int().positive(), usage_percent: z.number(), model: z.string() }),
  memory: z.object({
    total_bytes: z.number(),
    used_bytes: z.number(),
    available_bytes: z.number(),
    used_percent: z.number(),
  }),
  disk: z.array(
    z.object({
      mount: z.string(),
      fs: z.string(),
      size_bytes: z.number(),
      used_bytes: z.number(),
      use_percent: z.number(),
    }),
  ),
  disk_max_use_percent: z.number().describe("The fullest file system's use percent (0 with none listed)"),
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
    disk: m.disk.map((d) => ({
      mount: d.mount,
      fs: d.fs,
      size_bytes: d.sizeBytes,
      used_bytes: d.usedBytes,
      use_percent: d.usePercent,
    })),
    disk_max_use_percent: Math.max(0, ...m.disk.map((d) => d.usePercent)),
    load: { ...m.load },
    uptime_seconds: m.uptimeSeconds,
    collected_at: m.collectedAt,
  };
}

async function collectRemote(
  device: Device,
  executor: CommandExecutor,
  ctx: CapabilityContext<MonitoringDeps>,
): Promise<SystemMetrics> {
  const { audit, commandTimeoutMs = 10_000 } = ctx.deps;
  const run = async (argv: readonly string[], mustSucceed = true) => {
    const { result } = await runGuarded({
      device,
      executor,
      command: argv,
      rules: METRICS_RULES,
      options: { timeoutMs: commandTimeoutMs, outputCap: METRICS_OUTPUT_CAP, signal: ctx.signal },
      actor: ctx.actor,
      logger: ctx.logger,
      ...(ctx.ticketId ? { ticketId: ctx.ticketId } : {}),
      ...(audit ? { audit } : {}),
    });
    if (mustSucceed && (result.timedOut || (result.exitCode !== 0 && result.stdout === ''))) {
      throw new TwisterError(
        'COMMAND_FAILED',
        `"${argv.join(' ')}" failed on ${device.id} (exit ${result.exitCode}): ${result.stderr.slice(0, 200)}`,
        { device_id: device.id },
      );
    }
    return result.stdout;
  };
  const [basics, memory, firstCpu, model, disk] = await Promise.all([
    run(METRICS_COMMANDS.basics),
    run(METRICS_COMMANDS.memory),
    run(METRICS_COMMANDS.cpu),
    run(METRICS_COMMANDS.model, false),
    run(METRICS_COMMANDS.disk),
  ]);
  await new Promise((resolve) => setTimeout(resolve, CPU_SAMPLE_MS));
  const first = parseProcStat(firstCpu);
  const second = parseProcStat(await run(METRICS_COMMANDS.cpu));
  return {
    ...parseBasics(basics),
    cpu: { cores: Math.max(1, second.cores), usagePercent: cpuUsagePercent(first, second), model: parseModel(model) },
    memory: parseMeminfo(memory),
    disk: parseDf(disk),
    collectedAt: new Date().toISOString(),
  };
}

export const getSystemMetrics = defineCapability<typeof metricsInput, typeof metricsOutput, MonitoringDeps>({
  id: 'monitoring.get_system_metrics',
  description:
    'CPU, memory, disk, load and uptime of a device: this machine by default, or an SSH device (from /proc and df)',
  risk: 'read',
  input: metricsInput,
  output: metricsOutput,
  run: async (input, ctx) => {
    const deviceId = input.device_id ?? LOCAL_DEVICE_ID;
    if (deviceId === LOCAL_DEVICE_ID) return toOutput(await ctx.deps.metrics.collect(ctx.signal));
    const device = ctx.deps.inventory?.get(deviceId);
    const executor = ctx.deps.inventory?.executor(deviceId);
    if (!device || !executor) {
      throw new TwisterError('DEVICE_NOT_FOUND', `no device "${deviceId}" in the inventory`, {
        device_id: deviceId,
        known: ctx.deps.inventory?.list().map((d) => d.id) ?? [LOCAL_DEVICE_ID],
      });
    }
    return toOutput(await collectRemote(device, executor, ctx));
  },
});

const healthInput = z.strictObject({
  service_name: z.string().min(1).max(128).describe('Name of a service declared in configuration'),
});

const healthOutput = z.object({
  service_name: z.string(),
  device_id: z.string().optional().describe('The device the service lives on; its check runs through that device'),
  kind: z.enum(SERVICE_KINDS),
  healthy: z.boolean(),
  latency_ms: z.number().nonnegative(),
  detail: z.string(),
  reachable: z.boolean().describe('Something answered on the endpoint, even a refusal'),
  as_app: z.boolean().describe("Checked with the application's own credentials (the service's `app`), not an admin's"),
  failure: z.enum(HEALTH_FAILURES).optional().describe('Why it is unhealthy, as the application would see it'),
  error_code: z
    .string()
    .optional()
    .describe('SQLSTATE (53300, 57014, 55P03, …) or the Redis error word (OOM, NOPERM, READONLY)'),
  status_code: z.number().int().optional().describe('HTTP status answered'),
});

function healthOutputOf(service: ServiceDeclaration, r: HealthResult): z.input<typeof healthOutput> {
  return {
    service_name: service.name,
    ...(service.deviceId ? { device_id: service.deviceId } : {}),
    kind: service.kind,
    healthy: r.healthy,
    latency_ms: r.latencyMs,
    detail: r.detail,
    reachable: r.reachable,
    as_app: r.asApp,
    ...(r.failure ? { failure: r.failure } : {}),
    ...(r.errorCode ? { error_code: r.errorCode } : {}),
    ...(r.statusCode !== undefined ? { status_code: r.statusCode } : {}),
  };
}

export const checkServiceHealth = defineCapability<typeof healthInput, typeof healthOutput, MonitoringDeps>({
  id: 'monitoring.check_service_health',
  description:
    'Check one declared service as its users see it: HTTP status and body, PostgreSQL as the app role with its query, Redis with a write; an unhealthy service is reported (with why), not raised',
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
    const result: HealthResult = await checker.check(service, { timeoutMs: checkTimeoutMs, signal: ctx.signal });
    return healthOutputOf(service, result);
  },
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. The runtime always wires the probes. */
export const monitoringAgent = {
  id: 'monitoring',
  description: 'Reads host metrics, checks the health of declared services, TLS certificates and TCP reachability',
  capabilities: [getSystemMetrics, checkServiceHealth, checkCertificate, checkReachability],
};

export function createMonitoringAgent(deps: MonitoringDeps) {
  return defineAgent({
    ...monitoringAgent,
    deps,
    capabilities: [
      getSystemMetrics,
      { ...checkServiceHealth, timeoutMs: deps.checkTimeoutMs + CAPABILITY_TIMEOUT_MARGIN_MS },
      ...(deps.probes
        ? [{ ...checkCertificate, timeoutMs: deps.checkTimeoutMs + CAPABILITY_TIMEOUT_MARGIN_MS }, checkReachability]
        : []),
    ],
  });
}
