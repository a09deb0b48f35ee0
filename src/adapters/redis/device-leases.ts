// Device leases on Redis, shared by every worker: per device, a sorted set of lease tokens scored by their
// expiry (Redis' own clock). Taking a lease drops the expired ones first, so a worker that died mid-command
// holds its lease only until it lapses; a live holder renews its lease while its command runs. The limit is a
// throttle, not a safety rule: while Redis cannot be reached, commands run without a lease (with a warning)
// rather than fail.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DeviceLease, DeviceLeases } from '../../core/device-limit.ts';
import { TwisterError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

// KEYS[1] the device's set; ARGV: limit, lease ms, token. 1 when the lease is taken.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

// KEYS[1] the device's set; ARGV: lease ms, token. 0 when the lease had already lapsed and been taken away.
const RENEW = `
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

export interface RedisDeviceLeasesOptions {
  redis: Redis;
  prefix: string;
  /** Leases per device. */
  limit: number;
  /** A lease lapses this long after its last renewal. */
  leaseMs: number;
  /** The longest a command waits for a lease before DEVICE_BUSY. */
  waitMs: number;
  logger: Logger;
}

const DOWN = new Set(['reconnecting', 'close', 'end']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRedisDeviceLeases(options: RedisDeviceLeasesOptions): DeviceLeases {
  const { redis, limit, leaseMs } = options;
  const keyOf = (deviceId: string) => `${options.prefix}:device-leases:${deviceId}`;

  let unreachable = 0;
  /** true: taken; false: all taken; undefined: Redis did not answer. */
  const take = async (key: string, token: string): Promise<boolean | undefined> => {
    try {
      if (DOWN.has(redis.status)) throw new Error(`Redis connection is ${redis.status}`);
      return (await redis.eval(ACQUIRE, 1, key, limit, leaseMs, token)) === 1;
    } catch (error) {
      if (unreachable++ % 100 === 0) {
        options.logger.warn(
          { err: (error as Error).message },
          'device leases cannot be reached on Redis: commands run without the per-device limit until it answers',
        );
      }
      return undefined;
    }
  };
  const noLease: DeviceLease = { release: async () => {} };

  return {
    async acquire(deviceId, signal) {
      const key = keyOf(deviceId);
      const token = randomUUID();
      const deadline = Date.now() + options.waitMs;
      let pause = 5;
      for (;;) {
        const taken = await take(key, token);
        if (taken === undefined) return noLease;
        if (taken) break;
        signal?.throwIfAborted();
        if (Date.now() >= deadline) {
          throw new TwisterError(
            'DEVICE_BUSY',
            `device ${deviceId} already runs ${limit} commands (TWISTERLAB_DEVICE_CONCURRENCY) and none finished within ${options.waitMs} ms`,
            { device_id: deviceId, limit },
          );
        }
        // Jittered, growing pauses: waiters spread out instead of all polling at the same moment.
        await sleep(Math.min(pause, Math.max(1, deadline - Date.now())) * (0.5 + Math.random()));
        pause = Math.min(pause * 2, 200);
      }
      const renewal = setInterval(
        () => {
          redis.eval(RENEW, 1, key, leaseMs, token).catch(() => undefined);
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      renewal.unref();
      let released = false;
      const lease: DeviceLease = {
        async release() {
          if (released) return;
          released = true;
          clearInterval(renewal);
          // A release that cannot reach Redis is not an error for the command: the lease lapses by itself.
          await redis.zrem(key, token).catch(() => undefined);
        },
      };
      return lease;
    },
  };
}
