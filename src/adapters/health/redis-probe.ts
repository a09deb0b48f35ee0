// Redis as the application sees it: log in as the app's ACL user when one is given, then write and delete a
// probe key with a short TTL. A Redis at maxmemory with noeviction answers PING but refuses this write.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HealthFailure } from '../../core/ports.ts';
import { untilAborted, type Probe, type ProbeResult } from './probe.ts';

/** The key expires by itself should the DEL never arrive. */
const PROBE_TTL_MS = 10_000;

/** `OOM command not allowed …` → OOM; the first word of a Redis error reply is its code. */
function replyCode(error: unknown): string | undefined {
  if ((error as { name?: unknown } | undefined)?.name !== 'ReplyError') return undefined;
  return /^([A-Z][A-Z_-]+)\b/.exec((error as Error).message)?.[1];
}

function failureOf(code: string): HealthFailure {
  return ['WRONGPASS', 'NOAUTH', 'NOPERM'].includes(code) ? 'auth' : 'write_refused';
}

/** ioredis lets the URL's user-info win over options: the app's credentials replace it. */
function withoutUserInfo(target: string): string {
  const url = new URL(target);
  url.username = '';
  url.password = '';
  return url.toString();
}

function refused(error: unknown, what: string): ProbeResult | undefined {
  const code = replyCode(error);
  if (!code) return undefined;
  const message = (error as Error).message.slice(0, 300);
  return { healthy: false, failure: failureOf(code), errorCode: code, detail: `${what} refused: ${message}` };
}

export const probeRedis: Probe = async (target, { timeoutMs, signal, app, progress }) => {
  const { Redis } = await import('ioredis');
  const client: Redis = new Redis(app ? withoutUserInfo(target) : target, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // The ready check runs INFO, which an app's ACL user often may not; the write says more anyway.
    enableReadyCheck: false,
    ...(app ? { username: app.user, password: app.password ?? '' } : {}),
  });
  const who = app ? `user ${app.user}` : "the URL's user";
  // ioredis rejects with a bare "Connection is closed."; the socket error it emitted says why.
  let socketError: unknown;
  client.on('error', (error: unknown) => {
    socketError ??= error;
  });
  client.once('connect', () => (progress.reachable = true));
  try {
    try {
      await untilAborted(client.connect(), signal);
    } catch (error) {
      const cause = replyCode(error) ? error : (socketError ?? error);
      const result = refused(cause, `logging in as ${who}`);
      if (result) return result;
      throw cause;
    }
    const key = `twisterlab:probe:${randomBytes(8).toString('hex')}`;
    try {
      await untilAborted(client.set(key, '1', 'PX', PROBE_TTL_MS), signal);
    } catch (error) {
      const result = refused(error, `a write (SET ${key}) as ${who}`);
      if (result) return result;
      throw error;
    }
    // A refused DEL leaves a key that expires on its own: the write, which is what was asked, worked.
    await untilAborted(client.del(key), signal).catch(() => undefined);
    return { healthy: true, detail: `write and delete of a probe key ok as ${who}` };
  } finally {
    client.disconnect();
  }
};
