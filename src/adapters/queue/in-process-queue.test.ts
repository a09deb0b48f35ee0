import { describe, expect, it } from 'vitest';
import { TwisterError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { createInProcessQueue } from './in-process-queue.ts';

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('in-process queue', () => {
  it('starts no more tickets than the governor allows now, and the rest once it allows more', async () => {
    let limit = 1;
    let raise = () => {};
    const governor = { limit: () => limit, onRaise: (fn: () => void) => void (raise = fn), stop: () => {} };
    const queue = createInProcessQueue({ concurrency: 4, logger: silentLogger, governor });
    const gates: Array<() => void> = [];
    let running = 0;
    let most = 0;
    queue.start(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    });
    for (const id of ['t1', 't2', 't3', 't4', 't5']) await queue.enqueue(id);
    await until(() => running === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(running).toBe(1);
    limit = 3;
    raise();
    await until(() => running === 3);
    limit = 10; // above the configured concurrency: 4 at most
    raise();
    await until(() => running === 4);
    while (queue.depth() > 0) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(most).toBe(4);
    await queue.close();
  });

  it('gives a ticket whose handler failed with a retryable error back to the handler later, until it succeeds', async () => {
    const queue = createInProcessQueue({ concurrency: 2, logger: silentLogger, retryBaseMs: 10 });
    const calls: number[] = [];
    queue.start(async () => {
      calls.push(Date.now());
      if (calls.length === 1) throw new TwisterError('STORE_UNAVAILABLE', 'the store is down');
      if (calls.length === 2) throw new TwisterError('TICKET_BUSY', 'another process holds it');
    });
    await queue.enqueue('t1');
    await until(() => calls.length === 3);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(9); // the second backoff is 10–20 ms
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toHaveLength(3);
    expect(queue.depth()).toBe(0);
    await queue.close();
  });

  it('does not try again after an error that is not retryable', async () => {
    const queue = createInProcessQueue({ concurrency: 1, logger: silentLogger, retryBaseMs: 1 });
    let calls = 0;
    queue.start(async () => {
      calls += 1;
      throw new TwisterError('INTERNAL', 'a bug');
    });
    await queue.enqueue('t1');
    await until(() => calls === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    await queue.close();
  });

  it('drops retries that are still waiting when it closes, and gives up after its last attempt', async () => {
    const closing = createInProcessQueue({ concurrency: 1, logger: silentLogger, retryBaseMs: 200 });
    let calls = 0;
    closing.start(async () => {
      calls += 1;
      throw new TwisterError('STORE_UNAVAILABLE', 'down');
    });
    await closing.enqueue('t1');
    await until(() => calls === 1 && closing.depth() === 1);
    await closing.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(1);

    const limited = createInProcessQueue({ concurrency: 1, logger: silentLogger, retryBaseMs: 1, maxAttempts: 3 });
    let tries = 0;
    limited.start(async () => {
      tries += 1;
      throw new TwisterError('STORE_UNAVAILABLE', 'down');
    });
    await limited.enqueue('t2');
    await until(() => tries === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(tries).toBe(3);
    expect(limited.depth()).toBe(0);
    await limited.close();
  });
});
