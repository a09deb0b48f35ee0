// The ticket queue on Redis (BullMQ), shared by every API and worker process. A job's id is its ticket's id, so
// a ticket is queued at most once at a time; a job whose worker died (its lock not renewed) goes back to the
// queue (stalled-job recovery); a processing error that may pass (the store down, the ticket busy elsewhere) is
// retried with exponential backoff. The ticket row is committed before it is enqueued: when Redis cannot be
// reached, enqueue logs it and the reconciler queues the ticket once Redis is back.
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isTwisterError, TwisterError } from '../../core/errors.ts';
import type { TicketQueue } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection.ts';

export const TICKET_QUEUE_NAME = 'tickets';

export interface BullmqQueueOptions {
  url: string;
  /** Key prefix: the queue's keys are `<prefix>:tickets:*`. */
  prefix: string;
  logger: Logger;
  /** Tickets processed at once by this process, once start() is called. */
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  attempts: number;
  backoffMs: number;
  /** How long enqueue waits for Redis before leaving the ticket to the reconciler. */
  enqueueTimeoutMs?: number;
  /** Called as each job starts its first attempt, with the time since it was enqueued. */
  onDispatch?: (waitedMs: number) => void;
  /** How old the job counts behind `depth()` may get before they are read again (ms, default 1,000). */
  depthRefreshMs?: number;
}

export interface TicketJob {
  ticketId: string;
}

/** What `add` did: queued the ticket, or found it already waiting or in flight. */
export type AddOutcome = 'added' | 'queued-already';

export interface BullmqTicketQueue extends TicketQueue {
  /**
   * Queues the ticket unless it is waiting or in flight; throws when Redis cannot be reached. `created`: the ticket
   * was created a moment ago, so no job can hold its id and none is looked for.
   */
  add(ticketId: string, created?: boolean): Promise<AddOutcome>;
  /** Called whenever the connection becomes ready, the first time and after each reconnection. */
  onReady(listener: () => void): void;
  isReady(): boolean;
  /**
   * Takes no new jobs and waits up to `timeoutMs` for those in flight. Jobs still running then go back to the
   * queue for another worker. Resolves with how many were handed back.
   */
  drain(timeoutMs: number): Promise<{ released: number }>;
  /** The producer connection (for start-up checks). */
  readonly redis: Redis;
}

// Finished jobs are kept a while for inspection, bounded so Redis does not grow with the ticket count.
const KEEP_COMPLETED = { age: 3_600, count: 1_000 };
const KEEP_FAILED = { age: 7 * 24 * 3_600, count: 10_000 };
const DEPTH_REFRESH_MS = 1_000;
const DOWN = new Set(['reconnecting', 'close', 'end']);

export function createBullmqQueue(options: BullmqQueueOptions): BullmqTicketQueue {
  const { logger, prefix } = options;
  const redis = createRedisConnection({ url: options.url, name: `${prefix}:queue`, logger });
  const queue = new Queue<TicketJob>(TICKET_QUEUE_NAME, {
    connection: redis,
    prefix,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    },
  });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'ticket queue error'));
  const readyListeners: Array<() => void> = [];
  redis.on('ready', () => {
    for (const listener of readyListeners) listener();
  });
  let worker: Worker<TicketJob> | undefined;
  let workerRedis: Redis | undefined;
  const inFlight = new Map<string, { job: Job<TicketJob>; token: string | undefined }>();
  let closing = false;
  let drained = false;
  // depth() is the job counts as last read from Redis (at most once a second: intake's backlog limit reads it on
  // every request), plus the tickets added since that read came back, each counted from the call to enqueue on,
  // so intake hands over a ticket's place in its backlog in the same tick. An add under way while a read is in
  // flight may or may not be in it: it is taken as counted there, so nothing counts twice (intake would refuse
  // clients below its limit); at worst the few under way then are missed until the next read.
  const refreshMs = options.depthRefreshMs ?? DEPTH_REFRESH_MS;
  let counts = { value: 0, at: 0, reading: false };
  let readsBack = 0;
  let sinceRead = 0;

  // Whether a job holds the ticket's id, in one round trip whatever the backlog: its hash exists while the job does
  // (waiting, active, delayed...), and a finished one is in the completed or failed set. BullMQ's getJobState would
  // answer the same by scanning the wait and active lists (LPOS) for an id that is in neither: 1.9 ms of Redis's
  // one thread per call with 50,000 tickets waiting, against 0.13 ms for this.
  const jobOf = async (ticketId: string): Promise<'none' | 'queued' | 'finished'> => {
    const replies = await redis
      .pipeline()
      .exists(queue.toKey(ticketId))
      .zscore(queue.keys.completed!, ticketId)
      .zscore(queue.keys.failed!, ticketId)
      .exec();
    const [exists, completed, failed] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    if (completed !== null || failed !== null) return 'finished';
    return exists === 1 ? 'queued' : 'none';
  };

  const add = async (ticketId: string, created = false): Promise<AddOutcome> => {
    // Synchronous up to the first await: counted from the call.
    const startedAfter = readsBack;
    sinceRead += 1;
    let outcome: AddOutcome | undefined;
    try {
      // A ticket created a moment ago has an id no job can hold yet: nothing to look up.
      const job = created ? 'none' : await jobOf(ticketId);
      // A finished job keeps its id for a while; a ticket queued again (approved, or its job gave up) needs a new one.
      if (job === 'finished') await queue.remove(ticketId);
      else if (job === 'queued') return (outcome = 'queued-already');
      await queue.add('ticket', { ticketId }, { jobId: ticketId });
      return (outcome = 'added');
    } finally {
      // Already waiting (counted where it was first added), or not added at all: it stops counting here.
      if (outcome !== 'added' && startedAfter === readsBack) sinceRead -= 1;
    }
  };

  const refreshDepth = () => {
    if (counts.reading || redis.status !== 'ready') return;
    counts.reading = true;
    queue
      .getJobCounts('waiting', 'active', 'delayed', 'prioritized')
      .then((read) => {
        counts = { value: Object.values(read).reduce((a, b) => a + b, 0), at: Date.now(), reading: false };
        readsBack += 1;
        sinceRead = 0;
      })
      .catch(() => {
        counts.reading = false;
      });
  };

  return {
    redis,
    add,
    async enqueue(ticketId, how) {
      if (closing) throw new TwisterError('SHUTTING_DOWN', 'the queue is closing and takes no new tickets');
      try {
        // Known to be down: no need to wait out the timeout. (While first connecting, commands wait for the connection.)
        if (DOWN.has(redis.status)) throw new Error(`Redis connection is ${redis.status}`);
        await withTimeout(add(ticketId, how?.created === true), options.enqueueTimeoutMs ?? 2_000);
      } catch (error) {
        // The ticket is committed: it is not lost, only late. The reconciler queues it when Redis answers again.
        logger.warn(
          { ticketId, err: (error as Error).message },
          'could not queue the ticket on Redis; the reconciler will queue it once Redis is back',
        );
      }
    },
    start(handler) {
      workerRedis = createRedisConnection({ url: options.url, name: `${prefix}:worker`, logger, waitForever: true });
      worker = new Worker<TicketJob>(
        TICKET_QUEUE_NAME,
        async (job, token) => {
          if (job.attemptsStarted <= 1) options.onDispatch?.(Math.max(0, Date.now() - job.timestamp));
          inFlight.set(job.id!, { job, token });
          try {
            await handler(job.data.ticketId);
          } catch (error) {
            // Only errors that may pass are worth another attempt; the orchestrator settles the ticket for the rest.
            if (isTwisterError(error) && !error.retryable)
              throw new UnrecoverableError(`${error.code}: ${error.message}`);
            throw error;
          } finally {
            inFlight.delete(job.id!);
          }
        },
        {
          connection: workerRedis,
          prefix,
          concurrency: options.concurrency,
          lockDuration: options.lockMs,
          stalledInterval: options.stalledIntervalMs,
          maxStalledCount: 3,
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
        },
      );
      worker.on('error', (err) => logger.debug({ err: err.message }, 'ticket worker error'));
      worker.on('failed', (job, err) => {
        const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
        logger.warn(
          { ticketId: job?.data.ticketId, attempt: job?.attemptsMade, final, err: err.message },
          final
            ? 'ticket job gave up; the reconciler queues the ticket again if it is not finished'
            : 'ticket job failed; it is tried again after a backoff',
        );
      });
      worker.on('stalled', (jobId) =>
        logger.warn(
          { ticketId: jobId },
          'a worker stopped renewing its lock on a ticket; the ticket is back on the queue',
        ),
      );
    },
    async drain(timeoutMs) {
      closing = true;
      drained = true;
      if (!worker) return { released: 0 };
      await worker.pause(true);
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) await sleep(Math.min(50, deadline - Date.now()));
      // Closing stops its fetching for good (a fetch blocked in Redis when pausing could still take one more job).
      await worker.close(true);
      let released = 0;
      for (const { job, token } of inFlight.values()) {
        // Back to the queue now rather than when its lock lapses; the ticket's lease in the store keeps a second
        // worker from running it alongside this process, which exits next.
        try {
          await Job.fromJSON(queue, job.asJSON(), job.id).moveToWait(token);
          released += 1;
        } catch (err) {
          logger.warn(
            { ticketId: job.data.ticketId, err: (err as Error).message },
            'could not hand the ticket back; it returns to the queue when its lock lapses',
          );
        }
      }
      return { released };
    },
    async close() {
      closing = true;
      // Without a drain first, tickets in flight finish (as with the in-process queue); after one, they were handed back.
      if (!drained) await worker?.close();
      await queue.close();
      await Promise.all([closeRedisConnection(redis), workerRedis ? closeRedisConnection(workerRedis) : undefined]);
    },
    depth() {
      if (Date.now() - counts.at > refreshMs) refreshDepth();
      return counts.value + sinceRead;
    },
    onReady(listener) {
      readyListeners.push(listener);
    },
    isReady: () => redis.status === 'ready',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
