// Waiting on a submitted ticket for an MCP client: subscribed before the first read so no change is missed, each
// status change told as a progress step, settled on a final state, a finished dry run or a wait for approval,
// and a re-read now and then so that an event lost between processes cannot hold the call until its timeout.
import type { TicketEvent, TicketEventBus } from '../core/events.ts';
import { isSettled, type Ticket, type TicketRepository } from '../core/ticket-repository.ts';

export const RECHECK_MS = 1_000;

/** Told on each status change: the step count and the new status in plain words. */
export type ProgressReporter = (progress: number, message: string) => Promise<void>;

export interface WaitDeps {
  store: TicketRepository;
  events: TicketEventBus;
}

export interface Waited {
  ticket: Ticket;
  settled: boolean;
}

/** "diagnosing", "awaiting approval: restart nginx" — the status, and why when the orchestrator said. */
export function statusWords(event: Extract<TicketEvent, { type: 'status' }>): string {
  const words = event.to.replaceAll('_', ' ');
  return event.reason ? `${words}: ${event.reason}` : words;
}

export function waitForTicket(
  deps: WaitDeps,
  ticketId: string,
  timeoutMs: number,
  report?: ProgressReporter,
  signal?: AbortSignal,
): Promise<Waited> {
  return new Promise<Waited>((resolve, reject) => {
    let step = 0;
    let done = false;
    // Progress notifications go out in order, one after the other, and never after the result.
    let told: Promise<void> = Promise.resolve();
    const finish = (settled: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(recheck);
      unsubscribe();
      signal?.removeEventListener('abort', aborted);
      told
        .then(() => deps.store.get(ticketId))
        .then((ticket) => {
          if (ticket) resolve({ ticket, settled });
          else reject(new Error(`ticket ${ticketId} vanished while waited on`));
        }, reject);
    };
    const check = () => {
      deps.store.getDetail(ticketId).then(
        (detail) => {
          if (detail && isSettled(detail)) finish(true);
        },
        () => {
          /* the store is down: try again later */
        },
      );
    };
    const unsubscribe = deps.events.subscribe(ticketId, (event) => {
      if (done) return;
      if (event.type === 'status') {
        step += 1;
        if (report) {
          const progress = step;
          const message = statusWords(event);
          told = told
            .then(() => report(progress, message))
            .catch(() => {
              /* a client that went away loses its progress only */
            });
        }
        if (event.to === 'awaiting_approval') finish(true);
      } else if (event.type === 'done') {
        finish(true);
      }
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const recheck = setInterval(check, RECHECK_MS);
    const aborted = () => finish(false);
    signal?.addEventListener('abort', aborted);
    check();
  });
}
