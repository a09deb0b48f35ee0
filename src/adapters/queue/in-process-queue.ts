// The embedded queue: ticket ids processed in this process with bounded concurrency. Nothing is lost on a
// crash because the ticket row is committed before it is enqueued; recovery at start re-enqueues unfinished ones.
import { TwisterError } from '../../core/errors.ts';
import type { TicketQueue } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';

export interface InProcessQueueOptions {
  concurrency: number;
  logger: Logger;
  /** Called as each ticket starts, with how long it waited since it was enqueued. */
  onDispatch?: (waitedMs: number) => void;
}

export function createInProcessQueue(options: InProcessQueueOptions): TicketQueue {
  const waiting: Array<{ id: string; at: number }> = [];
  const queued = new Set<string>();
  const idle: Array<() => void> = [];
  let running = 0;
  let handler: ((id: string) => Promise<void>) | undefined;
  let closing = false;

  const settleIdle = () => {
    if (running === 0 && (waiting.length === 0 || closing)) for (const resolve of idle.splice(0)) resolve();
  };

  const pump = () => {
    while (handler && !closing && running < options.concurrency && waiting.length > 0) {
      const { id, at } = waiting.shift()!;
      running += 1;
      options.onDispatch?.(performance.now() - at);
      handler(id)
        .catch((err) => options.logger.error({ err, ticketId: id }, 'ticket handler failed'))
        .finally(() => {
          running -= 1;
          queued.delete(id);
          pump();
          settleIdle();
        });
    }
  };

  return {
    async enqueue(id) {
      if (closing) throw new TwisterError('SHUTTING_DOWN', 'the queue is closing and takes no new tickets');
      if (queued.has(id)) return;
      queued.add(id);
      waiting.push({ id, at: performance.now() });
      // Let the caller answer first; processing starts on the next turn of the event loop.
      setImmediate(pump);
    },
    start(fn) {
      handler = fn;
      setImmediate(pump);
    },
    async close() {
      closing = true;
      if (running > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
    depth: () => waiting.length + running,
  };
}
