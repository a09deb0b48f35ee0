// A loop that runs one pass of work, waits, and runs the next: never two passes at once, a failed pass logged and
// tried again after the usual wait, timers that do not keep the process alive, and a stop that waits for the pass
// in flight. Used by the mailbox intake and the notification dispatcher.
import type { Logger } from '../core/logger.ts';

export interface PollerOptions<T> {
  /** One pass of work. */
  pass(): Promise<T>;
  /** The wait before the next pass, given what this one returned (e.g. none when a full batch says there is more). */
  nextDelayMs(result: T): number;
  /** The wait after a failed pass. */
  retryMs: number;
  logger: Logger;
  /** Logged at warn when a pass fails, with the error's message. */
  failureMessage: string;
}

export interface Poller {
  /** Starts the loop with a first pass now; a second call while it runs does nothing. */
  start(): void;
  /** Stops the loop and waits for the pass in flight, if any. */
  stop(): Promise<void>;
}

export function createPoller<T>(options: PollerOptions<T>): Poller {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = options.pass().then(
        (result) => schedule(options.nextDelayMs(result)),
        (error: unknown) => {
          options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, options.failureMessage);
          schedule(options.retryMs);
        },
      );
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
