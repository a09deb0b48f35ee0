// Checks declared services over the network: HTTP GET, TCP connect, PostgreSQL `SELECT 1`, Redis `PING`.
// An unreachable or failing service is a result (healthy: false), not an error; details never carry credentials.
import { connect as connectTcp } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { TwisterError } from '../../core/errors.ts';
import type { HealthResult, ServiceChecker, ServiceDeclaration, ServiceKind } from '../../core/ports.ts';
import { redactCredentials } from '../../core/service-declarations.ts';

interface ProbeOptions {
  timeoutMs: number;
  /** Aborts on the deadline or when the caller gives up. */
  signal: AbortSignal;
}

interface ProbeResult {
  healthy: boolean;
  detail: string;
}

type Probe = (target: string, options: ProbeOptions) => Promise<ProbeResult>;

/** Settles with the promise, or rejects as soon as the signal aborts (the probe's cleanup still runs). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function parseTarget(target: string): URL {
  try {
    return new URL(target);
  } catch {
    throw new TwisterError('SERVICE_CHECK_FAILED', `service target "${redactCredentials(target)}" is not a valid URL`);
  }
}

const probeHttp: Probe = async (target, { signal }) => {
  const url = parseTarget(target);
  const headers: Record<string, string> = {};
  // fetch refuses URLs with user-info: send it as Basic auth instead.
  if (url.username || url.password) {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const response = await fetch(url, { method: 'GET', redirect: 'manual', headers, signal });
  await response.body?.cancel().catch(() => undefined);
  return { healthy: response.status < 400, detail: `HTTP ${response.status}` };
};

function parseHostPort(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new TwisterError('SERVICE_CHECK_FAILED', `tcp service target "${redactCredentials(target)}" is not host:port`);
  }
  return { host: match[1]!, port };
}

const probeTcp: Probe = (target, { signal }) => {
  const { host, port } = parseHostPort(target);
  const socket = connectTcp({ host, port });
  const connected = new Promise<ProbeResult>((resolve, reject) => {
    socket.once('connect', () => resolve({ healthy: true, detail: `TCP connect to ${target} ok` }));
    socket.once('error', reject);
  });
  return untilAborted(connected, signal).finally(() => socket.destroy());
};

const probePostgres: Probe = async (target, { timeoutMs, signal }) => {
  const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await untilAborted(client.connect(), signal);
    const result = await untilAborted(client.query<{ ok: number }>('SELECT 1 AS ok'), signal);
    const ok = result.rows[0]?.ok === 1;
    return { healthy: ok, detail: ok ? 'SELECT 1 ok' : 'SELECT 1 returned an unexpected result' };
  } finally {
    // Not awaited: closing the connection is not part of the latency, and must not hold up the answer.
    void client.end().catch(() => undefined);
  }
};

const probeRedis: Probe = async (target, { timeoutMs, signal }) => {
  const client = new Redis(target, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis rejects with a bare "Connection is closed."; the socket error it emitted says why.
  let socketError: unknown;
  client.on('error', (error: unknown) => {
    socketError ??= error;
  });
  try {
    await untilAborted(client.connect(), signal).catch((error: unknown) => {
      throw socketError ?? error;
    });
    const reply = await untilAborted(client.ping(), signal);
    return { healthy: reply === 'PONG', detail: reply === 'PONG' ? 'PING answered PONG' : 'PING got an unexpected reply' };
  } finally {
    client.disconnect();
  }
};

const PROBES: Record<ServiceKind, Probe> = { http: probeHttp, tcp: probeTcp, postgres: probePostgres, redis: probeRedis };

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

function describeFailure(error: unknown, timeoutMs: number, deadline: AbortSignal): string {
  if (deadline.aborted) return `no answer within ${timeoutMs} ms`;
  const errno = errnoOf(error);
  if (errno && ERRNO_TEXT[errno]) return ERRNO_TEXT[errno]!;
  const message = error instanceof Error ? error.message : String(error);
  return /timeout|timed out/i.test(message) ? `no answer within ${timeoutMs} ms` : message.slice(0, 300);
}

function redactDetail(detail: string, target: string): string {
  let text = redactCredentials(detail);
  try {
    const password = decodeURIComponent(new URL(target).password);
    if (password.length >= 4) text = text.split(password).join('***');
  } catch {
    // tcp targets are host:port: they carry no password.
  }
  return text;
}

export function createServiceChecker(): ServiceChecker {
  return {
    async check(service: ServiceDeclaration, options: { timeoutMs: number; signal?: AbortSignal }): Promise<HealthResult> {
      const started = performance.now();
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
      const latency = () => Math.round((performance.now() - started) * 10) / 10;
      try {
        const result = await PROBES[service.kind](service.target, { timeoutMs: options.timeoutMs, signal });
        return { healthy: result.healthy, latencyMs: latency(), detail: redactDetail(result.detail, service.target) };
      } catch (error) {
        if (error instanceof TwisterError) throw error;
        if (options.signal?.aborted && !deadline.aborted) {
          throw new TwisterError('CAPABILITY_ABORTED', `health check of ${service.name} was cancelled`);
        }
        const detail = describeFailure(error, options.timeoutMs, deadline);
        return { healthy: false, latencyMs: latency(), detail: redactDetail(detail, service.target) };
      }
    },
  };
}
