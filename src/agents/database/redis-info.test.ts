import { describe, expect, it } from 'vitest';
import { countKeys, memoryReport, parseInfo } from './redis-info.ts';

const memory =
  '# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:4194304\r\nmaxmemory_policy:allkeys-lru\r\nmem_fragmentation_ratio:1.37\r\n';
const stats = '# Stats\r\nevicted_keys:42\r\nexpired_keys:3\r\n';
const keyspace = '# Keyspace\r\ndb0:keys=12,expires=1,avg_ttl=0\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n';

describe('redis memory report', () => {
  it('reads memory, stats and keyspace into bytes, percent, policy, evictions, fragmentation and keys', () => {
    expect(memoryReport(parseInfo(memory, stats, keyspace), 'volatile-lru')).toEqual({
      used_memory_bytes: 1_048_576,
      maxmemory_bytes: 4_194_304,
      used_percent: 25,
      maxmemory_policy: 'volatile-lru',
      evicted_keys: 42,
      fragmentation_ratio: 1.37,
      keys: 17,
    });
  });

  it('has no percent when maxmemory is 0 (no limit)', () => {
    expect(
      memoryReport(parseInfo(memory.replace('maxmemory:4194304', 'maxmemory:0')), undefined).used_percent,
    ).toBeNull();
  });

  it('takes the policy from INFO when CONFIG is disabled, and says unknown when neither tells', () => {
    expect(memoryReport(parseInfo(memory), undefined).maxmemory_policy).toBe('allkeys-lru');
    expect(
      memoryReport(parseInfo(memory.replace('maxmemory_policy:allkeys-lru\r\n', '')), undefined).maxmemory_policy,
    ).toBe('unknown');
  });

  it('counts no keys in an empty keyspace and ignores lines that are not databases', () => {
    expect(countKeys(parseInfo('# Keyspace\r\n'))).toBe(0);
    expect(countKeys(parseInfo('dbx:keys=9\r\ndb1:expires=1\r\n'))).toBe(0);
  });
});
