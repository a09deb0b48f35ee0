// Model answers on Redis, shared by every API and worker process: the same ticket text analysed by another
// worker (a retry, a resumed ticket, a duplicate report) costs no second model call. Keys are sha256 hashes of
// the request, values expire after the TTL; Redis unreachable means a miss, never an error.
import type { Redis } from 'ioredis';
import type { AnswerCache } from '../../core/llm-guard.ts';

const DOWN = new Set(['reconnecting', 'close', 'end']);

export function createRedisAnswerCache(options: { redis: Redis; prefix: string; ttlMs: number }): AnswerCache {
  const { redis } = options;
  const keyOf = (key: string) => `${options.prefix}:llm-answers:${key}`;
  return {
    async get(key) {
      if (DOWN.has(redis.status)) return undefined;
      return (await redis.get(keyOf(key)).catch(() => null)) ?? undefined;
    },
    async set(key, text) {
      if (DOWN.has(redis.status)) return;
      await redis.set(keyOf(key), text, 'PX', options.ttlMs).catch(() => undefined);
    },
  };
}
