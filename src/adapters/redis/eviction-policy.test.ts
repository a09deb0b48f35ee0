// The start-up check of Redis' eviction policy, against redis-servers of this file's own.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../test/helpers/recording-logger.ts';
import { startTestRedis } from '../../../test/helpers/redis-server.ts';
import { checkEvictionPolicy } from './eviction-policy.ts';

async function check(args: string[]) {
  const server = await startTestRedis({ args });
  const redis = new Redis(server.url);
  const logger = recordingLogger();
  try {
    const policy = await checkEvictionPolicy(redis, logger);
    return { policy, warnings: logger.messages('warn') };
  } finally {
    redis.disconnect();
    await server.close();
  }
}

describe('the Redis eviction policy check', () => {
  it('warns loudly when Redis may evict queue keys', async () => {
    const { policy, warnings } = await check(['--maxmemory-policy', 'allkeys-lru']);
    expect(policy).toBe('allkeys-lru');
    expect(warnings).toEqual([expect.stringMatching(/EVICTION POLICY IS "allkeys-lru", NOT "noeviction".*lost/)]);
  });

  it('stays quiet on noeviction', async () => {
    const { policy, warnings } = await check(['--maxmemory-policy', 'noeviction']);
    expect(policy).toBe('noeviction');
    expect(warnings).toEqual([]);
  });

  it('tolerates a Redis whose CONFIG command is disabled, and says what to check', async () => {
    const { policy, warnings } = await check(['--rename-command', 'CONFIG', '""']);
    expect(policy).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('make sure it is noeviction')]);
  });
});
