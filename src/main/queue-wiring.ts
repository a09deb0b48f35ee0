// Wiring of the ticket queue, the ticket events and the device leases: in this process (the embedded default), or
// on Redis when REDIS_URL is set (BullMQ, pub/sub, leases shared by every worker, the reconciler).
import { createInProcessEventBus } from '../adapters/events/in-process-event-bus.ts';
import { createInProcessQueue } from '../adapters/queue/in-process-queue.ts';
import type { Config } from '../config.ts';
import type { DeviceLeases } from '../core/device-limit.ts';
import { TwisterError } from '../core/errors.ts';
import type { TicketEventBus, TicketQueue } from '../core/events.ts';
import type { AnswerCache } from '../core/llm-guard.ts';
import type { Logger } from '../core/logger.ts';
import { createProcessingGovernor } from '../core/processing-governor.ts';
import type { TicketRepository } from '../core/ticket-repository.ts';

export interface QueueWiring {
  kind: 'in-process' | 'redis';
  queue: TicketQueue;
  events: TicketEventBus;
  /** Leases that cap the commands running at once on a device, across processes (Redis only). */
  leases: DeviceLeases | undefined;
  /** Model answers shared by every process (Redis only; each process keeps its own otherwise). */
  answerCache: AnswerCache | undefined;
  /** Told how long each admission took: processing in this process gives way while intake is slow (in-process). */
  recordIntake: (ms: number) => void;
  /** Queues what a previous run left unfinished (`startRun`), and on Redis keeps reconciling store and queue. */
  recover(options: { startRun: boolean }): Promise<void>;
  /** Stops taking tickets; those in flight get `timeoutMs`, then go back to the queue (Redis) or are awaited. */
  drain(timeoutMs: number): Promise<{ released: number }>;
  close(): Promise<void>;
}

export interface QueueWiringOptions {
  config: Pick<Config, 'concurrency' | 'redis' | 'commandTimeoutMs' | 'intakeTargetMs'>;
  store: Pick<TicketRepository, 'listUnfinished' | 'listAwaitingWork'>;
  logger: Logger;
  /** Told how long each ticket waited on the queue before its processing started. */
  onDispatch: (waitedMs: number) => void;
}

/** On Redis, several processes work on the same tickets: the store must be one they can all reach. */
export function requireSharedStore(config: Pick<Config, 'redis' | 'databaseUrl'>): void {
  if (config.redis && !config.databaseUrl) {
    throw new TwisterError(
      'CONFIG_INVALID',
      'REDIS_URL: workers and API processes share the store, so DATABASE_URL (PostgreSQL) is required; the embedded store (PGlite) serves one process only',
      { variable: 'REDIS_URL' },
    );
  }
}

export async function wireQueue(options: QueueWiringOptions): Promise<QueueWiring> {
  if (!options.config.redis) return wireInProcess(options);
  // BullMQ and ioredis are loaded only by a process that works on Redis.
  const { wireRedis } = await import('./redis-queue-wiring.ts');
  return wireRedis(options);
}

function wireInProcess({ config, store, logger, onDispatch }: QueueWiringOptions): QueueWiring {
  const governor = createProcessingGovernor({ max: config.concurrency, targetMs: config.intakeTargetMs });
  const queue = createInProcessQueue({ concurrency: config.concurrency, logger, onDispatch, governor });
  return {
    kind: 'in-process',
    queue,
    recordIntake: governor.recordIntake,
    events: createInProcessEventBus(logger),
    leases: undefined,
    answerCache: undefined,
    async recover({ startRun }) {
      if (!startRun) return;
      // Tickets left unfinished by a previous process go back on the queue; the orchestrator decides what is safe.
      const unfinished = (await store.listUnfinished(10_000)).filter((t) => !(t.dryRun && t.status === 'planned'));
      for (const ticket of unfinished) await queue.enqueue(ticket.id);
      if (unfinished.length > 0)
        logger.warn({ count: unfinished.length }, 'recovered unfinished tickets from a previous run');
    },
    async drain() {
      await queue.close();
      return { released: 0 };
    },
    close: () => queue.close(),
  };
}
