// The reconciler: the store is the truth about which tickets need work, the queue only a way to hand them out.
// A ticket committed while the queue was unreachable, or whose job was lost (a Redis restart without its data,
// a job that gave up), is found here and queued again. Queuing is idempotent (one job per ticket), so every
// process may run it: at start, when the queue's connection comes back, and on a jittered interval.
import type { Logger } from './logger.ts';
import type { TicketRepository } from './ticket-repository.ts';

export interface TicketReconcilerDeps {
  store: Pick<TicketRepository, 'listAwaitingWork'>;
  /** Queues a ticket unless it is queued or in flight already; throws when the queue cannot be reached. */
  add: (ticketId: string) => Promise<'added' | 'queued-already'>;
  logger: Logger;
  /** Mean time between periodic runs; each wait is drawn between half and one and a half of it. */
  intervalMs: number;
  /** Periodic runs skip tickets changed more recently than this (they are moving); default 2 s. */
  idleMs?: number;
  /** Tickets looked at per run; default 1,000. */
  batch?: number;
}

export interface ReconcileResult {
  found: number;
  queued: number;
}

export class TicketReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileResult> | undefined;
  private stopped = false;

  constructor(private readonly deps: TicketReconcilerDeps) {}

  /** One pass; runs already in progress are joined, not doubled. `idleMs` 0 looks at every ticket. */
  run(idleMs = this.deps.idleMs ?? 2_000): Promise<ReconcileResult> {
    this.running ??= this.pass(idleMs).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Periodic runs until stop(); a failed run (store or queue down) is logged and the next one tries again. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = Math.round(this.deps.intervalMs * (0.5 + Math.random()));
    this.timer = setTimeout(() => {
      this.run()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'reconciler run failed; the next one tries again'))
        .finally(() => this.schedule());
    }, wait);
    this.timer.unref();
  }

  private async pass(idleMs: number): Promise<ReconcileResult> {
    const ids = await this.deps.store.listAwaitingWork({ limit: this.deps.batch ?? 1_000, idleMs });
    let queued = 0;
    for (const id of ids) {
      if ((await this.deps.add(id)) === 'added') queued += 1;
    }
    if (queued > 0)
      this.deps.logger.warn(
        { queued, found: ids.length },
        'queued tickets that needed work but had no job (committed while the queue was unreachable, or their job was lost)',
      );
    return { found: ids.length, queued };
  }
}
