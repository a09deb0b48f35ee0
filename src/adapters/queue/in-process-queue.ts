// The embedded queue: ticket ids processed in this process with bounded concurrency. Nothing is lost on a
// crash because the ticket row is committed before it is enqueued; recovery at start re-enqueues unfinished ones.
// A handler that fails with a retryable error (the store is down, another process holds the ticket) gets the
// ticket again later, with exponential backoff.
import { TwisterError, isTwisterError } from '../../core/errors.ts';
import type { TicketQueue } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { ProcessingGovernor } from '../../core/processing-governor.ts';

export interface InProcessQueueOptions {
  concurrency: number;
  logger: Logger;
  /** Called as each ticket starts, with how long it waited since it was enqueued. */
  onDispatch?: (waitedMs: number) => void;
  /** First delay before a ticket whose handler failed with a retryable error is tried again; doubles up to 30 s. */
  retryBaseMs?: number;
  /** Tries of one ticket before it is left to recovery at the next start; default 50. */
  maxAttempts?: number;
  /** Lowers the tickets processed at once below `concurrency` while intake is slow (see processing-governor.ts). */
  governor?: Pick<ProcessingGovernor, 'limit' | 'onRaise' | 'stop'>;
}

export function createInProcessQueue(options: InProcessQueueOptions): TicketQueue {
  // Ids in arrival order with the time they came; a Map takes the oldest off in constant time however long it is
  // (intake bounds its length: TWISTERLAB_BACKLOG_LIMIT).
  const waiting = new Map<string, number>();
  const queued = new Set<string>();
  const idle: Array<() => void> = [];
  let running = 0;
  let handler: ((id: string) => Promise<void>) | undefined;
  let closing = false;
  const attempts = new Map<string, number>();
  const retries = new Set<NodeJS.Timeout>();

  const push = (id: string) => {
    if (queued.has(id)) return;
    queued.add(id);
    waiting.set(id, performance.now());
  };

  const retryLater = (id: string, err: unknown) => {
    const attempt = (attempts.get(id) ?? 0) + 1;
    if (closing || attempt >= (options.maxAttempts ?? 50)) {
      attempts.delete(id);
      options.logger.error({ err, ticketId: id, attempt }, 'ticket handler failed; the ticket is left for recovery');
      return;
    }
    attempts.set(id, attempt);
    const ceiling = Math.min(30_000, (options.retryBaseMs ?? 500) * 2 ** (attempt - 1));
    const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    options.logger.warn(
      { ticketId: id, attempt, delayMs, code: (err as TwisterError).code },
      'ticket handler failed with a retryable error; trying again later',
    );
    const timer = setTimeout(() => {
      retries.delete(timer);
      if (closing) return;
      push(id);
      pump();
    }, delayMs);
    timer.unref();
    retries.add(timer);
  };

  const settleIdle = () => {
    if (running === 0 && (waiting.size === 0 || closing)) for (const resolve of idle.splice(0)) resolve();
  };

  const pump = () => {
    const limit = Math.min(options.concurrency, options.governor?.limit() ?? options.concurrency);
    while (handler && !closing && running < limit && waiting.size > 0) {
      const [id, at] = waiting.entries().next().value!;
      waiting.delete(id);
      running += 1;
      options.onDispatch?.(performance.now() - at);
      let failure: unknown;
      handler(id)
        .then(
          () => attempts.delete(id),
          (err: unknown) => {
            failure = err;
          },
        )
        .finally(() => {
          running -= 1;
          queued.delete(id);
          if (failure !== undefined) {
            if (isTwisterError(failure) && failure.retryable) retryLater(id, failure);
            else options.logger.error({ err: failure, ticketId: id }, 'ticket handler failed');
          }
          pump();
          settleIdle();
        });
    }
  };

  options.governor?.onRaise(() => setImmediate(pump));

  return {
    async enqueue(id) {
      if (closing) throw new TwisterError('SHUTTING_DOWN', 'the queue is closing and takes no new tickets');
      push(id);
      // Let the caller answer first; processing starts on the next turn of the event loop.
      setImmediate(pump);
    },
    start(fn) {
      handler = fn;
      setImmediate(pump);
    },
    async close() {
      closing = true;
      options.governor?.stop();
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
      if (running > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
    depth: () => waiting.size + running + retries.size,
  };
}
