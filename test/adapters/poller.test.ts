// The polling loop shared by the mailbox intake and the notification dispatcher: one pass at a time, the next
// delay chosen from the pass's result, a failed pass logged and tried again, and a stop that waits for the pass
// in flight and schedules nothing after it.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createPoller } from '../../src/adapters/poller.ts';

function capturingLogger() {
  const lines: Array<{ msg: string; err?: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Resolves once `predicate` holds, checking on each turn of the event loop (no wall-clock budget). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setImmediate(r));
}

describe('createPoller', () => {
  it('runs passes one after the other, never two at once, with the delay the last result asks for', async () => {
    const { logger } = capturingLogger();
    let active = 0;
    let most = 0;
    let passes = 0;
    const delays: number[] = [];
    const poller = createPoller({
      async pass() {
        active += 1;
        most = Math.max(most, active);
        passes += 1;
        await new Promise((r) => setTimeout(r, 2));
        active -= 1;
        return passes;
      },
      nextDelayMs: (n) => {
        const d = n < 3 ? 0 : 5;
        delays.push(d);
        return d;
      },
      retryMs: 1,
      logger,
      failureMessage: 'pass failed',
    });
    poller.start();
    poller.start(); // a second start while running adds no second loop
    await until(() => passes >= 5);
    await poller.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 30));
    expect(passes).toBe(after);
    expect(most).toBe(1);
    expect(delays.slice(0, 3)).toEqual([0, 0, 5]);
  });

  it('logs a failed pass with its message and tries again', async () => {
    const { logger, lines } = capturingLogger();
    let calls = 0;
    const poller = createPoller({
      async pass() {
        calls += 1;
        if (calls === 1) throw new Error('mailbox refused the login');
        return calls;
      },
      nextDelayMs: () => 1,
      retryMs: 1,
      logger,
      failureMessage: 'mailbox poll failed; trying again',
    });
    poller.start();
    await until(() => calls >= 2);
    await poller.stop();
    expect(lines.filter((l) => l.msg === 'mailbox poll failed; trying again').map((l) => l.err)).toEqual([
      'mailbox refused the login',
    ]);
  });

  it('waits for the pass in flight when stopped', async () => {
    const { logger } = capturingLogger();
    let release!: () => void;
    let finished = false;
    let started = false;
    const poller = createPoller({
      async pass() {
        started = true;
        await new Promise<void>((r) => {
          release = r;
        });
        finished = true;
      },
      nextDelayMs: () => 1,
      retryMs: 1,
      logger,
      failureMessage: 'pass failed',
    });
    poller.start();
    await until(() => started);
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
  });
});
