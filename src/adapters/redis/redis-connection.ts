// Redis connections for the queue, the event bus and the device leases: reconnecting quickly after a Redis
// restart, named in CLIENT LIST, logging a lost connection once (not on every retry), never logging the URL.
import { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';

export interface RedisConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST and in log lines: `twisterlab:queue`, `twisterlab:events`. */
  name: string;
  logger: Logger;
  /**
   * Commands wait for a lost connection to come back (BullMQ workers' blocking connections need this). Otherwise a
   * command fails after one reconnection attempt, so a caller can answer without Redis.
   */
  waitForever?: boolean;
}

/** host:port/db of a Redis URL, without user or password. */
export function describeRedisTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : '/0'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const target = describeRedisTarget(options.url);
  const redis = new Redis(options.url, {
    connectionName: options.name.replace(/[^A-Za-z0-9:_-]/g, '_'),
    maxRetriesPerRequest: options.waitForever ? null : 1,
    connectTimeout: 5_000,
    // A restarted Redis is back within seconds: retry fast, then every 2 s.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  });
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    options.logger.warn(
      { redis: target, connection: options.name, err: error.message },
      'Redis connection lost; retrying',
    );
  });
  redis.on('ready', () => {
    if (lost) options.logger.info({ redis: target, connection: options.name }, 'Redis connection restored');
    lost = false;
  });
  return redis;
}

/** Closes a connection: QUIT when it is up, a plain disconnect when it is not (QUIT would wait for Redis). */
export async function closeRedisConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
