import { describe, expect, it } from 'vitest';
import { isTwisterError } from './errors.ts';
import type { TicketQueue } from './events.ts';
import { createBacklog, submitTicket, type IntakeDeps } from './ticket-intake.ts';
import type { TicketRepository } from './ticket-repository.ts';

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

  it('hands a ticket over to the queue in one step: while the queue takes it, it is never counted twice', async () => {
    let queued = 0;
    const seen: number[] = [];
    const backlog = createBacklog({ limit: 10, queued: () => queued, retryAfterSeconds: 1 });
    const store = {
      async create() {
        return { ticket: { id: 't1' }, created: true };
      },
    } as unknown as TicketRepository;
    // The queue counts the ticket from the call on (the port's contract) and answers a few turns later: whatever
    // else runs in between (another request's admission) sees it once.
    const look = () => seen.push(backlog.size());
    const queue = {
      enqueue() {
        queued += 1;
        return Promise.resolve()
          .then(look)
          .then(look)
          .then(() => new Promise((r) => setImmediate(r)))
          .then(look);
      },
    } as unknown as TicketQueue;
    await submitTicket(
      { store, queue, isAccepting: () => true, backlog },
      { description: 'the printer jams' },
      { requester: 'ana', source: 'api' },
    );
    look();
    expect(seen).toEqual([1, 1, 1, 1]);
  });
});

describe('admission time', () => {
  it('is told once a ticket is stored and queued, and not for one that could not be stored', async () => {
    const told: number[] = [];
    const backlog = createBacklog({
      limit: 10,
      queued: () => 0,
      retryAfterSeconds: 1,
      onAdmitted: (ms) => told.push(ms),
    });
    const order: string[] = [];
    let fail = false;
    const store = {
      async create() {
        if (fail) throw new Error('the store is down');
        order.push('stored');
        return { ticket: { id: 't1' }, created: true };
      },
      async apply() {},
    } as unknown as TicketRepository;
    const how: unknown[] = [];
    const queue = {
      async enqueue(_id: string, options: unknown) {
        order.push(`queued, told ${told.length}`);
        how.push(options);
      },
    } as unknown as TicketQueue;
    const deps: IntakeDeps = { store, queue, isAccepting: () => true, backlog };
    await submitTicket(deps, { description: 'the printer jams' }, { requester: 'ana', source: 'api' });
    expect(order).toEqual(['stored', 'queued, told 0']);
    // Created by this call: the queue need not look for a job already holding its id.
    expect(how).toEqual([{ created: true }]);
    expect(told).toHaveLength(1);
    expect(told[0]).toBeGreaterThanOrEqual(0);
    fail = true;
    await expect(
      submitTicket(deps, { description: 'the printer jams' }, { requester: 'ana', source: 'api' }),
    ).rejects.toThrow('the store is down');
    expect(told).toHaveLength(1);
    expect(backlog.size()).toBe(0);
  });
});
