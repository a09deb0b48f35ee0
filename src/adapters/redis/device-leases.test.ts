// Device leases on a redis-server of this file's own: the limit holds across holders (two lease objects stand for
// two workers), a dead holder's lease lapses, a waiter gives up with DEVICE_BUSY, and wrapped executors keep at
// most `limit` real commands running on a device.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitDeviceConcurrency } from '../../core/device-limit.ts';
import { silentLogger } from '../../core/logger.ts';
import { recordingLogger } from '../../../test/helpers/recording-logger.ts';
import type { CommandExecutor, Device, DeviceInventory, ExecResult } from '../../core/ports.ts';
import { startTestRedis, type TestRedis } from '../../../test/helpers/redis-server.ts';
import { createLocalExecutor } from '../devices/local-executor.ts';
import { createRedisDeviceLeases } from './device-leases.ts';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

const leases = (prefix: string, limit: number, overrides: { leaseMs?: number; waitMs?: number } = {}) =>
  createRedisDeviceLeases({
    redis,
    prefix,
    limit,
    leaseMs: overrides.leaseMs ?? 5_000,
    waitMs: overrides.waitMs ?? 5_000,
    logger: silentLogger,
  });

describe('device leases on Redis', () => {
  it('lets `limit` holders in, across workers, and the next one in when a lease is released', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}`;
    const workerA = leases(prefix, 2);
    const workerB = leases(prefix, 2);
    const one = await workerA.acquire('web-1');
    const two = await workerB.acquire('web-1');
    // Another device has leases of its own.
    const elsewhere = await workerA.acquire('web-2');
    let third = false;
    const waiting = workerB.acquire('web-1').then((lease) => {
      third = true;
      return lease;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(third).toBe(false);
    await one.release();
    const lease = await waiting;
    expect(third).toBe(true);
    await Promise.all([two.release(), lease.release(), elsewhere.release()]);
    expect(await redis.zcard(`${prefix}:device-leases:web-1`)).toBe(0);
  });

  it('frees the lease of a worker that died holding it once the lease lapses', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}`;
    // What a killed worker leaves: a token nobody renews, lapsing in 300 ms.
    const now = Date.now();
    await redis.zadd(`${prefix}:device-leases:db-1`, now + 300, 'dead-worker-token');
    const started = Date.now();
    const lease = await leases(prefix, 1).acquire('db-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await lease.release();
  });

  it('keeps a lease while its command runs longer than the lease, by renewing it', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}`;
    const held = await leases(prefix, 1, { leaseMs: 600 }).acquire('slow');
    await new Promise((r) => setTimeout(r, 1_500));
    await expect(leases(prefix, 1, { waitMs: 100 }).acquire('slow')).rejects.toMatchObject({
      code: 'DEVICE_BUSY',
      retryable: true,
    });
    await held.release();
  });

  it('answers DEVICE_BUSY when no lease frees within the wait, and stops waiting when the call is cancelled', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}`;
    const held = await leases(prefix, 1).acquire('busy');
    await expect(leases(prefix, 1, { waitMs: 200 }).acquire('busy')).rejects.toMatchObject({ code: 'DEVICE_BUSY' });
    const controller = new AbortController();
    const pending = leases(prefix, 1).acquire('busy', controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    await held.release();
  });

  it('runs at most `limit` commands at once on a device through wrapped executors', async () => {
    const prefix = `d${randomUUID().slice(0, 8)}`;
    const local = createLocalExecutor();
    let running = 0;
    let most = 0;
    const counting: CommandExecutor = {
      async exec(argv, options): Promise<ExecResult> {
        running += 1;
        most = Math.max(most, running);
        try {
          return await local.exec(argv, options);
        } finally {
          running -= 1;
        }
      },
    };
    const device: Device = { id: 'local', kind: 'local', description: 'here', allow: [] };
    const inventory: DeviceInventory = { list: () => [device], get: () => device, executor: () => counting };
    // Two workers' views of the same device.
    const workerA = limitDeviceConcurrency(inventory, leases(prefix, 2));
    const workerB = limitDeviceConcurrency(inventory, leases(prefix, 2));
    const started = Date.now();
    const results = await Promise.all(
      [workerA, workerB, workerA, workerB, workerA, workerB].map((inv) =>
        inv.executor('local')!.exec(['sleep', '0.2'], { timeoutMs: 5_000, outputCap: 1024 }),
      ),
    );
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(most).toBe(2);
    // Six commands of 200 ms, two at a time: three rounds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(await redis.zcard(`${prefix}:device-leases:local`)).toBe(0);
  });

  it('runs commands without a lease, and says so, while Redis cannot be reached (a throttle, not a safety rule)', async () => {
    const own = await startTestRedis();
    const client = new Redis(own.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    const logger = recordingLogger();
    try {
      // The wait for a free slot is longer than the test may run: a call that waited for the held lease cannot pass.
      const limited = createRedisDeviceLeases({
        redis: client,
        prefix: 'x',
        limit: 1,
        leaseMs: 5_000,
        waitMs: 3_600_000,
        logger,
      });
      const held = await limited.acquire('d');
      await own.kill();
      const lease = await limited.acquire('d');
      expect(logger.messages('warn')).toEqual([expect.stringContaining('commands run without the per-device limit')]);
      await lease.release();
      await held.release();
    } finally {
      client.disconnect();
      await own.close();
    }
  });
});
