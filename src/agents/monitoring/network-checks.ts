// Network checks of the monitoring agent: the certificate a TLS endpoint presents (expiry, names, whether it
// verifies) and whether a TCP port answers, from this machine and from a device. Both follow the probe egress
// rule on the host and port together: internal addresses only when trusted (TWISTERLAB_PROBE_ALLOW, the endpoint
// of a declared service or device).
import { z } from 'zod';
import { defineCapability, type CapabilityContext } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import type { NetworkProbes, ProbeTarget, TcpProbeResult } from '../../core/network-probes.ts';
import type { MonitoringDeps } from './monitoring-agent.ts';

const DAY_MS = 86_400_000;
const LOCAL_DEVICE_ID = 'local';
const MAX_REACH_TIMEOUT_MS = 30_000;
/** Room for an SSH connection to the device before the probe itself, and for answering. */
export const REACHABILITY_TIMEOUT_MS = MAX_REACH_TIMEOUT_MS + 10_000;

const host = z.string().min(1).max(255).describe('Host name or IP address');
const port = z.number().int().min(1).max(65535);

function probesOf(ctx: CapabilityContext<MonitoringDeps>): NetworkProbes {
  if (!ctx.deps.probes) throw new TwisterError('CAPABILITY_FAILED', 'network probes are not configured');
  return ctx.deps.probes;
}

/** A refusal of the egress rule is an error; a name that does not resolve is a finding, left to the caller. */
async function targetOf(probes: NetworkProbes, raw: string, port: number) {
  const verdict = await probes.target(raw, port);
  if (!verdict.ok && !verdict.unresolved) throw new TwisterError('TARGET_NOT_ALLOWED', verdict.reason, { host: raw });
  return verdict;
}

const certificateInput = z.strictObject({
  host,
  port: port.default(443),
  servername: z
    .string()
    .regex(/^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/, 'must be a host name')
    .optional()
    .describe('TLS SNI name; the host when it is a name'),
  warn_days: z.number().min(0).max(3650).default(14).describe('expires_soon when fewer days than this are left'),
});

const certificateOutput = z.object({
  host: z.string(),
  port: z.number().int(),
  subject: z.string(),
  issuer: z.string(),
  valid_from: z.string(),
  valid_to: z.string(),
  days_left: z.number().int().describe('Whole days until valid_to; negative once expired'),
  expires_soon: z.boolean().describe('Fewer than warn_days left, or already expired'),
  expired: z.boolean(),
  fingerprint256: z.string(),
  subject_alt_names: z.array(z.string()),
  authorized: z.boolean().describe('The chain verifies against the system CAs and the name matches'),
  authorization_error: z.string().optional(),
});

export const checkCertificate = defineCapability<typeof certificateInput, typeof certificateOutput, MonitoringDeps>({
  id: 'monitoring.check_certificate',
  description:
    'The certificate a TLS endpoint presents: subject, issuer, validity, days left, names, and whether it verifies (reported, not required)',
  risk: 'read',
  input: certificateInput,
  output: certificateOutput,
  run: async (input, ctx) => {
    const probes = probesOf(ctx);
    const verdict = await targetOf(probes, input.host, input.port);
    if (!verdict.ok) throw new TwisterError('SERVICE_CHECK_FAILED', verdict.reason, { host: input.host });
    const { target } = verdict;
    const cert = await probes.certificate(target, input.servername ?? target.servername, {
      timeoutMs: ctx.deps.checkTimeoutMs,
      signal: ctx.signal,
    });
    const msLeft = cert.validTo.getTime() - Date.now();
    return {
      host: target.host,
      port: input.port,
      subject: cert.subject,
      issuer: cert.issuer,
      valid_from: cert.validFrom.toISOString(),
      valid_to: cert.validTo.toISOString(),
      days_left: Math.floor(msLeft / DAY_MS),
      expires_soon: msLeft < input.warn_days * DAY_MS,
      expired: msLeft <= 0,
      fingerprint256: cert.fingerprint256,
      subject_alt_names: cert.subjectAltNames,
      authorized: cert.authorized,
      ...(cert.authorizationError ? { authorization_error: cert.authorizationError } : {}),
    };
  },
});

const reachabilityInput = z.strictObject({
  host,
  port,
  device_id: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Also try from this device of the inventory (SSH: the device opens the connection)'),
  timeout_ms: z.number().int().min(100).max(MAX_REACH_TIMEOUT_MS).default(3_000),
});

const probeOutput = z.object({
  reachable: z.boolean(),
  latency_ms: z.number().nonnegative(),
  error: z.string().optional(),
});

const reachabilityOutput = z.object({
  host: z.string(),
  port: z.number().int(),
  from_platform: probeOutput,
  from_device: probeOutput.extend({ device_id: z.string() }).optional(),
});

const toOutput = (r: TcpProbeResult) => ({
  reachable: r.reachable,
  latency_ms: r.latencyMs,
  ...(r.error ? { error: r.error } : {}),
});

export const checkReachability = defineCapability<typeof reachabilityInput, typeof reachabilityOutput, MonitoringDeps>({
  id: 'monitoring.check_reachability',
  description:
    'Whether a TCP port answers, from this machine and, given device_id, from that device (over its SSH connection, no command run)',
  risk: 'read',
  timeoutMs: REACHABILITY_TIMEOUT_MS,
  input: reachabilityInput,
  output: reachabilityOutput,
  run: async (input, ctx) => {
    const probes = probesOf(ctx);
    const deviceId = input.device_id;
    if (deviceId && deviceId !== LOCAL_DEVICE_ID && !ctx.deps.inventory?.get(deviceId)) {
      throw new TwisterError('DEVICE_NOT_FOUND', `no device "${deviceId}" in the inventory`, { device_id: deviceId });
    }
    const verdict = await targetOf(probes, input.host, input.port);
    const options = { timeoutMs: input.timeout_ms, signal: ctx.signal };
    const unresolved = (why: string): TcpProbeResult => ({ reachable: false, latencyMs: 0, error: why });
    const probe = (from: (t: ProbeTarget) => Promise<TcpProbeResult>, otherwise: string) =>
      verdict.ok ? from(verdict.target) : Promise.resolve(unresolved(otherwise));
    const reason = verdict.ok ? '' : verdict.reason;
    const [platform, device] = await Promise.all([
      probe((t) => probes.tcp(t, options), reason),
      deviceId && deviceId !== LOCAL_DEVICE_ID
        ? // A name only the device knows cannot be checked against the egress rule here: it is not tried.
          probe(
            (t) => probes.tcpFrom(deviceId, t, options),
            `not tried from the device: ${reason}; the rule is applied here, so a name must resolve here or be trusted by name`,
          )
        : Promise.resolve(undefined),
    ]);
    const fromDevice = deviceId === LOCAL_DEVICE_ID ? platform : device;
    return {
      host: verdict.ok ? verdict.target.host : input.host,
      port: input.port,
      from_platform: toOutput(platform),
      ...(deviceId && fromDevice ? { from_device: { device_id: deviceId, ...toOutput(fromDevice) } } : {}),
    };
  },
});
