// database.redis_memory_usage: memory pressure of a Redis service, from INFO and CONFIG GET.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import { withService, type DatabaseDeps } from './database-deps.ts';
import { serviceName } from './find-blocking-queries.ts';
import { memoryReport, parseInfo } from './redis-info.ts';
import { serviceError, untilAborted } from './service-errors.ts';

const input = z.strictObject({ service_name: serviceName.describe('A declared redis service') });

const output = z.object({
  used_memory_bytes: z.number().nonnegative(),
  maxmemory_bytes: z.number().nonnegative().describe('0: no limit'),
  used_percent: z.number().nonnegative().nullable().describe('null when maxmemory is 0 (no limit)'),
  maxmemory_policy: z.string().describe('"unknown" when neither CONFIG GET nor INFO says'),
  evicted_keys: z.number().nonnegative(),
  fragmentation_ratio: z.number().nonnegative(),
  keys: z.number().int().nonnegative().describe('Keys over every database'),
});

/** CONFIG may be disabled or renamed (rename-command): then there is no answer, not a failure. */
async function configPolicy(redis: Redis, signal: AbortSignal): Promise<string | undefined> {
  try {
    const reply = await untilAborted(redis.config('GET', 'maxmemory-policy') as Promise<string[]>, signal);
    return reply[1];
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}

async function readMemory(target: string, timeoutMs: number, signal: AbortSignal) {
  // Loaded on the first call: listing the catalogue must not load the Redis client.
  const { Redis } = await import('ioredis');
  const redis = new Redis(target, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis rejects with a bare "Connection is closed."; the socket error it emitted says why.
  let socketError: unknown;
  redis.on('error', (error: unknown) => {
    socketError ??= error;
  });
  const close = () => redis.disconnect();
  signal.addEventListener('abort', close, { once: true });
  try {
    await untilAborted(redis.connect(), signal).catch((error: unknown) => {
      throw signal.aborted ? error : serviceError(socketError ?? error, 'could not connect', target, timeoutMs);
    });
    const infos = await untilAborted(
      Promise.all(['memory', 'stats', 'keyspace'].map((section) => redis.info(section))),
      signal,
    ).catch((error: unknown) => {
      throw signal.aborted ? error : serviceError(error, 'INFO failed', target, timeoutMs);
    });
    return memoryReport(parseInfo(...infos), await configPolicy(redis, signal));
  } finally {
    signal.removeEventListener('abort', close);
    redis.disconnect();
  }
}

export const redisMemoryUsage = defineCapability<typeof input, typeof output, DatabaseDeps>({
  id: 'database.redis_memory_usage',
  description:
    'Memory pressure of a Redis service: used memory against maxmemory, eviction policy, evicted keys, fragmentation and key count',
  risk: 'read',
  input,
  output,
  run: (args, ctx) =>
    withService(ctx.deps, args.service_name, 'redis', ctx.signal, (target) =>
      readMemory(target, ctx.deps.timeoutMs, ctx.signal),
    ),
});
