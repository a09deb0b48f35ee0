// Ticket events between processes through a redis-server of this file's own: two buses stand for an API process
// and a worker process.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import { recordingLogger } from '../../../test/helpers/recording-logger.ts';
import { startTestRedis, type TestRedis } from '../../../test/helpers/redis-server.ts';
import { createRedisEventBus } from './redis-event-bus.ts';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis.close();
});

const done = (ticketId: string): TicketEvent => ({ type: 'done', ticketId, status: 'resolved', success: true });

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the Redis ticket event bus', () => {
  it("delivers a worker's events to the API's listeners of that ticket, once, and to the worker's own listeners at once", async () => {
    const prefix = `e${randomUUID().slice(0, 8)}`;
    const api = createRedisEventBus({ url: redis.url, prefix, logger: silentLogger });
    const worker = createRedisEventBus({ url: redis.url, prefix, logger: silentLogger });
    try {
      await Promise.all([api.ready(), worker.ready()]);
      const ticket = randomUUID();
      const other = randomUUID();
      const atApi: TicketEvent[] = [];
      const atWorker: TicketEvent[] = [];
      api.subscribe(ticket, (e) => atApi.push(e));
      worker.subscribe(ticket, (e) => atWorker.push(e));
      worker.publish({ type: 'status', ticketId: ticket, from: 'new', to: 'triaged', at: new Date().toISOString() });
      worker.publish(done(other));
      worker.publish(done(ticket));
      expect(atWorker.map((e) => e.type)).toEqual(['status', 'done']);
      await until(() => atApi.length === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(atApi).toEqual(atWorker);
      expect(atWorker).toHaveLength(2);
    } finally {
      await Promise.all([api.close(), worker.close()]);
    }
  });

  it('keeps installations with different prefixes apart', async () => {
    const one = createRedisEventBus({ url: redis.url, prefix: `e${randomUUID().slice(0, 8)}`, logger: silentLogger });
    const two = createRedisEventBus({ url: redis.url, prefix: `e${randomUUID().slice(0, 8)}`, logger: silentLogger });
    try {
      await Promise.all([one.ready(), two.ready()]);
      const ticket = randomUUID();
      const heard: TicketEvent[] = [];
      two.subscribe(ticket, (e) => heard.push(e));
      one.publish(done(ticket));
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('still serves local listeners while Redis is down, warns, and carries events between processes again once it is back', async () => {
    const prefix = `e${randomUUID().slice(0, 8)}`;
    const logger = recordingLogger();
    const api = createRedisEventBus({ url: redis.url, prefix, logger: silentLogger });
    const worker = createRedisEventBus({ url: redis.url, prefix, logger });
    try {
      await Promise.all([api.ready(), worker.ready()]);
      const ticket = randomUUID();
      const atApi: TicketEvent[] = [];
      const atWorker: TicketEvent[] = [];
      api.subscribe(ticket, (e) => atApi.push(e));
      worker.subscribe(ticket, (e) => atWorker.push(e));
      await redis.kill();
      await until(() => logger.messages('warn').some((m) => m.includes('Redis connection lost')));
      expect(() => worker.publish(done(ticket))).not.toThrow();
      expect(atWorker).toHaveLength(1);
      expect(logger.messages('warn')).toContainEqual(
        expect.stringContaining('ticket events are not reaching other processes'),
      );
      await redis.start();
      // Both connections come back, the subscriber subscribed again.
      await until(() => {
        worker.publish(done(ticket));
        return atApi.length > 0;
      }, 10_000);
      expect(atApi[0]).toEqual(done(ticket));
    } finally {
      await Promise.all([api.close(), worker.close()]);
    }
  });
});
