// BullMQ keeps its jobs in ordinary keys: a Redis that evicts keys under memory pressure silently drops queued
// tickets. At start, each process reads maxmemory-policy and warns loudly unless it is noeviction.
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';

/** The policy Redis reports, or undefined when CONFIG is disabled or renamed (managed Redis often does that). */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch (error) {
    logger.warn(
      { err: (error as Error).message },
      'could not read Redis maxmemory-policy (CONFIG is disabled or renamed): make sure it is noeviction, or queued tickets can be evicted and lost',
    );
    return undefined;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    logger.warn(
      { maxmemoryPolicy: policy },
      `REDIS EVICTION POLICY IS "${policy}", NOT "noeviction": under memory pressure Redis deletes queue keys and tickets waiting on the queue are lost until the reconciler finds them. Set maxmemory-policy noeviction on this Redis.`,
    );
  }
  return policy;
}
