// The ticket queue, events, device leases and answer cache on Redis (BullMQ), for API and worker processes
// that share one PostgreSQL store. Loaded by queue-wiring only when REDIS_URL is set.
import { createRedisAnswerCache } from '../adapters/cache/redis-answer-cache.ts';
import { createRedisEventBus } from '../adapters/events/redis-event-bus.ts';
import { createBullmqQueue } from '../adapters/queue/bullmq-queue.ts';
import { createRedisDeviceLeases } from '../adapters/redis/device-leases.ts';
import { checkEvictionPolicy } from '../adapters/redis/eviction-policy.ts';
import {
  closeRedisConnection,
  createRedisConnection,
  describeRedisTarget,
} from '../adapters/redis/redis-connection.ts';
import { TicketReconciler } from '../core/ticket-reconciler.ts';
import type { QueueWiring, QueueWiringOptions } from './queue-wiring.ts';

export function wireRedis({ config, store, logger, onDispatch }: QueueWiringOptions): QueueWiring {
  const redis = config.redis!;
  const { url, prefix } = redis;
  const queue = createBullmqQueue({
    url,
    prefix,
    logger,
    concurrency: redis.workerConcurrency,
    lockMs: redis.lockMs,
    stalledIntervalMs: redis.stalledIntervalMs,
    attempts: redis.attempts,
    backoffMs: redis.backoffMs,
    onDispatch,
  });
  const events = createRedisEventBus({ url, prefix, logger });
  // Device leases and cached model answers: short commands that fail fast while Redis is down.
  const commands = createRedisConnection({ url, name: `${prefix}:commands`, logger });
  // A command waits for a device lease about as long as it may itself run.
  const leases = createRedisDeviceLeases({
    redis: commands,
    prefix,
    limit: redis.deviceConcurrency,
    leaseMs: redis.deviceLeaseMs,
    waitMs: config.commandTimeoutMs,
    logger,
  });
  const reconciler = new TicketReconciler({
    store,
    add: (id) => queue.add(id),
    logger,
    intervalMs: redis.reconcileIntervalMs,
  });
  let checked = false;
  let reconciling = false;
  queue.onReady(() => {
    if (!checked) {
      checked = true;
      void checkEvictionPolicy(queue.redis, logger);
    }
    // Redis is back (or up for the first time): tickets committed meanwhile are queued now.
    if (reconciling)
      reconciler
        .run(0)
        .catch((err: unknown) => logger.warn({ err }, 'reconciler run failed; the next one tries again'));
  });
  logger.info({ redis: describeRedisTarget(url), prefix }, 'ticket queue and events on Redis');
  return {
    kind: 'redis',
    queue,
    events,
    leases,
    answerCache: createRedisAnswerCache({ redis: commands, prefix, ttlMs: redis.llmCacheTtlMs }),
    // Workers on other machines process the tickets; an API process's intake does not hold them back.
    recordIntake: () => {},
    async recover({ startRun }) {
      reconciling = true;
      reconciler.start();
      if (startRun && queue.isReady())
        await reconciler
          .run(0)
          .catch((err: unknown) => logger.warn({ err }, 'reconciler run at start failed; the next one tries again'));
    },
    drain: (timeoutMs) => queue.drain(timeoutMs),
    async close() {
      reconciler.stop();
      await queue.close();
      await events.close();
      await closeRedisConnection(commands);
    },
  };
}
