import { describe, expect, it } from 'vitest';
import { isTwisterError } from './errors.ts';
import { createBacklog } from './ticket-intake.ts';

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isTwisterError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the intake backlog', () => {
  it('admits up to the limit counting what the queue holds and what is being admitted, then refuses with BACKLOG_FULL', () => {
    let queued = 2;
    const backlog = createBacklog({ limit: 4, queued: () => queued, retryAfterSeconds: 5 });
    const first = backlog.admit();
    backlog.admit();
    expect(backlog.size()).toBe(4);
    const error = refusal(() => backlog.admit());
    expect(error.code).toBe('BACKLOG_FULL');
    expect(error.httpStatus).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ backlog: 4, limit: 4, retryAfterSeconds: 5 });
    // Enqueued: the queue counts it, intake gives its place back (once, however often it is released).
    queued += 1;
    first.release();
    first.release();
    expect(backlog.size()).toBe(4);
    // Two tickets settle: two places free.
    queued -= 2;
    backlog.admit();
    backlog.admit();
    expect(backlog.size()).toBe(4);
    expect(refusal(() => backlog.admit()).code).toBe('BACKLOG_FULL');
  });
});
