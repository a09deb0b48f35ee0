// Checks declared services over the network as their users see them: HTTP (status and body), TCP connect,
// PostgreSQL and Redis with the application's own credentials (its query, a write). An unreachable or failing
// service is a result (healthy: false, with a failure kind), not an error; nothing returned carries a credential.
import { connect as connectTcp } from 'node:net';
import { TwisterError } from '../../core/errors.ts';
import type { HealthFailure, HealthResult, ServiceChecker, ServiceDeclaration, ServiceKind } from '../../core/ports.ts';
import { redactCredentials } from '../../core/service-declarations.ts';
import { probeHttp } from './http-probe.ts';
import { probePostgres } from './postgres-probe.ts';
import {
  resolveApp,
  untilAborted,
  type AppCredentials,
  type EnvLookup,
  type Probe,
  type ProbeOptions,
  type ProbeResult,
} from './probe.ts';
import { probeRedis } from './redis-probe.ts';

function parseHostPort(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new TwisterError(
      'SERVICE_CHECK_FAILED',
      `tcp service target "${redactCredentials(target)}" is not host:port`,
    );
  }
  return { host: match[1]!, port };
}

const probeTcp: Probe = (target, { signal, progress }) => {
  const { host, port } = parseHostPort(target);
  const socket = connectTcp({ host, port });
  const connected = new Promise<ProbeResult>((resolve, reject) => {
    socket.once('connect', () => {
      progress.reachable = true;
      resolve({ healthy: true, detail: `TCP connect to ${target} ok` });
    });
    socket.once('error', reject);
  });
  return untilAborted(connected, signal).finally(() => socket.destroy());
};

const PROBES: Record<ServiceKind, Probe> = {
  http: probeHttp,
  tcp: probeTcp,
  postgres: probePostgres,
  redis: probeRedis,
};

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
};

function errnoOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | undefined;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A probe that threw: what it means, from the deadline, the socket error and how far the probe got. */
function describeFailure(
  error: unknown,
  options: ProbeOptions,
  deadline: AbortSignal,
): { detail: string; failure: HealthFailure } {
  const { timeoutMs, progress } = options;
  const timedOut = (detail: string) => ({
    detail,
    failure: (progress.phase === 'query' ? 'query_timeout' : 'timeout') as HealthFailure,
  });
  if (deadline.aborted) return timedOut(`no answer within ${timeoutMs} ms`);
  const errno = errnoOf(error);
  if (errno && ERRNO_TEXT[errno])
    return errno === 'ETIMEDOUT'
      ? timedOut(ERRNO_TEXT[errno]!)
      : { detail: ERRNO_TEXT[errno]!, failure: 'unreachable' };
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout|timed out/i.test(message)) return timedOut(`no answer within ${timeoutMs} ms`);
  return { detail: message.slice(0, 300), failure: progress.reachable ? 'query_failed' : 'unreachable' };
}

/** Removes URL user-info and every password this check knew (the URL's and the app's). */
function redactDetail(detail: string, target: string, app: AppCredentials | undefined): string {
  let text = redactCredentials(detail);
  const secrets = [app?.password];
  try {
    secrets.push(decodeURIComponent(new URL(target).password));
  } catch {
    // tcp targets are host:port: they carry no password.
  }
  for (const secret of secrets) {
    if (secret && secret.length >= 4) text = text.split(secret).join('***');
  }
  return text;
}

function toHealth(result: ProbeResult, reachable: boolean, asApp: boolean, latencyMs: number): HealthResult {
  const { healthy, detail, failure, errorCode, statusCode } = result;
  return {
    healthy,
    latencyMs,
    detail,
    reachable,
    asApp,
    ...(failure && !healthy ? { failure } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
  };
}

export interface ServiceCheckerOptions {
  /** Reads `app.password: { env: NAME }`; the composition root passes the configuration's lookup. */
  env?: EnvLookup;
}

export function createServiceChecker(checkerOptions: ServiceCheckerOptions = {}): ServiceChecker {
  const env = checkerOptions.env ?? (() => undefined);
  return {
    async check(
      service: ServiceDeclaration,
      options: { timeoutMs: number; signal?: AbortSignal },
    ): Promise<HealthResult> {
      const started = performance.now();
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
      const latency = () => Math.round((performance.now() - started) * 10) / 10;
      const app = service.kind === 'tcp' ? undefined : await resolveApp(service, env);
      const probe: ProbeOptions = {
        timeoutMs: options.timeoutMs,
        signal,
        progress: { reachable: false, phase: 'connect' },
        ...(app ? { app } : {}),
        ...(service.check ? { check: service.check } : {}),
      };
      try {
        const result = await PROBES[service.kind](service.target, probe);
        return toHealth(
          { ...result, detail: redactDetail(result.detail, service.target, app) },
          probe.progress.reachable,
          app !== undefined,
          latency(),
        );
      } catch (error) {
        if (error instanceof TwisterError) throw error;
        if (options.signal?.aborted && !deadline.aborted) {
          throw new TwisterError('CAPABILITY_ABORTED', `health check of ${service.name} was cancelled`);
        }
        const { detail, failure } = describeFailure(error, probe, deadline);
        return toHealth(
          { healthy: false, failure, detail: redactDetail(detail, service.target, app) },
          probe.progress.reachable,
          app !== undefined,
          latency(),
        );
      }
    },
  };
}
