// The BullMQ ticket queue on a redis-server of this file's own: one job per ticket, retries only for errors that
// may pass, enqueue that answers while Redis is down, and a drain that hands running tickets to another worker.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TwisterError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { recordingLogger } from '../../../test/helpers/recording-logger.ts';
import { startTestRedis, type TestRedis } from '../../../test/helpers/redis-server.ts';
import { createBullmqQueue, type BullmqQueueOptions, type BullmqTicketQueue } from './bullmq-queue.ts';

let redis: TestRedis;
const opened: BullmqTicketQueue[] = [];

function queue(overrides: Partial<BullmqQueueOptions> = {}): BullmqTicketQueue {
  const q = createBullmqQueue({
    url: redis.url,
    prefix: `t${randomUUID().slice(0, 8)}`,
    logger: silentLogger,
    concurrency: 4,
    lockMs: 2_000,
    stalledIntervalMs: 1_000,
    attempts: 3,
    backoffMs: 20,
    ...overrides,
  });
  opened.push(q);
  return q;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  redis = await startTestRedis();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => q.close()));
});

afterAll(async () => {
  await redis.close();
});

describe('the BullMQ ticket queue', () => {
  it('queues a ticket once while it waits, and again once its job has finished', async () => {
    const q = queue();
    const id = randomUUID();
    expect(await q.add(id)).toBe('added');
    expect(await q.add(id)).toBe('queued-already');
    const handled: string[] = [];
    q.start(async (ticketId) => {
      handled.push(ticketId);
    });
    await until(() => handled.length === 1);
    // An approved ticket comes back to the queue after its first job completed.
    await until(() => q.depth() === 0);
    expect(await q.add(id)).toBe('added');
    await until(() => handled.length === 2);
    expect(handled).toEqual([id, id]);
  });

  it("finds a ticket's job without scanning the backlog, and does not look for one of a ticket just created", async () => {
    const q = queue({ attempts: 1 });
    for (let i = 0; i < 20; i += 1) await q.add(randomUUID(), true);
    const lookups = vi.spyOn(q.redis, 'pipeline');
    const scans = async () => Number(/cmdstat_lpos:calls=(\d+)/.exec(await q.redis.info('commandstats'))?.[1] ?? 0);
    const scansBefore = await scans();
    const waiting = randomUUID();
    expect(await q.add(waiting)).toBe('added');
    expect(await q.add(waiting)).toBe('queued-already');
    expect(lookups).toHaveBeenCalledTimes(2);
    // Created a moment ago: queued without a look-up.
    const created = randomUUID();
    expect(await q.add(created, true)).toBe('added');
    await q.enqueue(randomUUID(), { created: true });
    expect(lookups).toHaveBeenCalledTimes(2);
    // Finished, for good or not: queued again. Still waiting or running: not.
    const failing = randomUUID();
    const handled: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    q.start(async (id) => {
      handled.push(id);
      if (id === failing) throw new TwisterError('TICKET_NOT_FOUND', 'no such ticket');
      if (id === created) await held;
    });
    expect(await q.add(failing)).toBe('added');
    await until(() => handled.includes(failing) && handled.includes(created));
    expect(await q.add(created)).toBe('queued-already');
    release();
    await until(() => q.depth() === 0);
    expect(await q.add(failing)).toBe('added');
    expect(await q.add(created)).toBe('added');
    await until(() => handled.filter((id) => id === failing || id === created).length === 4);
    expect(await scans()).toBe(scansBefore);
  });

  it('counts each ticket once in depth(), from the call to enqueue on, while the counts are read again and again', async () => {
    // Reading the counts on every call puts a read in flight while adds land: an add Redis counted in the read
    // must not also count as added since it (intake refuses clients on this figure).
    const q = queue({ depthRefreshMs: 0 });
    await q.add(randomUUID());
    await until(() => q.depth() === 1);
    const over: number[] = [];
    const steps = new Set<number>();
    let called = 1;
    const pending: Promise<void>[] = [];
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 20; i += 1) {
        const before = q.depth();
        pending.push(q.enqueue(randomUUID()));
        called += 1;
        // Counted at once, in the same tick, before the add reaches Redis.
        steps.add(q.depth() - before);
        if (q.depth() > called) over.push(q.depth() - called);
      }
      await new Promise((r) => setImmediate(r));
      if (q.depth() > called) over.push(q.depth() - called);
    }
    await Promise.all(pending);
    for (let i = 0; i < 50; i += 1) {
      if (q.depth() > called) over.push(q.depth() - called);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect([...steps]).toEqual([1]);
    expect(over).toEqual([]);
    await until(() => q.depth() === called);
  });

  it('tells each ticket how long it waited between enqueue and the start of its processing', async () => {
    const waits: number[] = [];
    const q = queue({ onDispatch: (ms) => waits.push(ms) });
    q.start(async () => {});
    await q.enqueue(randomUUID());
    await until(() => waits.length === 1);
    expect(waits[0]).toBeGreaterThanOrEqual(0);
    expect(waits[0]).toBeLessThan(1_000);
  });

  it('tries a retryable failure again after a backoff, and gives up at once on any other', async () => {
    const q = queue({ attempts: 4 });
    const calls = new Map<string, number[]>();
    const flaky = randomUUID();
    const broken = randomUUID();
    q.start(async (id) => {
      const times = calls.get(id) ?? [];
      times.push(Date.now());
      calls.set(id, times);
      if (id === flaky && times.length < 3)
        throw new TwisterError('STORE_UNAVAILABLE', 'the database cannot be reached');
      if (id === broken) throw new TwisterError('TICKET_NOT_FOUND', 'no such ticket');
    });
    await q.enqueue(flaky);
    await q.enqueue(broken);
    await until(() => calls.get(flaky)?.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.get(broken)).toHaveLength(1);
    expect(calls.get(flaky)).toHaveLength(3);
    const [first, second, third] = calls.get(flaky)!;
    // Exponential: 20 ms, then 40 ms.
    expect(second! - first!).toBeGreaterThanOrEqual(15);
    expect(third! - second!).toBeGreaterThanOrEqual(35);
  });

  it('answers enqueue while Redis is down and logs that the reconciler will queue the ticket', async () => {
    const logger = recordingLogger();
    const q = queue({ logger, enqueueTimeoutMs: 500 });
    await q.add(randomUUID());
    await redis.kill();
    try {
      // Redis comes back only after this returns: an enqueue that waited for it would never return.
      await q.enqueue(randomUUID());
      expect(logger.messages('warn')).toContainEqual(
        expect.stringContaining('the reconciler will queue it once Redis is back'),
      );
    } finally {
      await redis.start();
    }
    await until(() => q.isReady());
    expect(await q.add(randomUUID())).toBe('added');
  });

  it('drains: takes no new tickets, and hands one still running at the timeout to another worker', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const first = queue({ prefix });
    const started: string[] = [];
    first.start((id) => {
      started.push(id);
      return new Promise(() => {}); // never finishes, like a step stuck past the shutdown timeout
    });
    const id = randomUUID();
    await first.enqueue(id);
    await until(() => started.length === 1);
    const { released } = await first.drain(200);
    expect(released).toBe(1);
    await expect(first.enqueue(randomUUID())).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    const second = queue({ prefix });
    const taken: string[] = [];
    second.start(async (ticketId) => {
      taken.push(ticketId);
    });
    await until(() => taken.length === 1);
    expect(taken).toEqual([id]);
  });
});
