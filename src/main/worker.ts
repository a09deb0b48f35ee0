// `twisterlab worker`: takes tickets off the Redis queue and runs them, with the same store, agents and
// orchestrator as the API (createCore). Any number of workers may run, on any machine that reaches PostgreSQL and
// Redis. SIGTERM or SIGINT: no new tickets, those in flight get TWISTERLAB_SHUTDOWN_TIMEOUT_MS to finish, what is
// still running then goes back to the queue for another worker, and the process exits 0.
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import type pino from 'pino';
import type { Config } from '../config.ts';
import { TwisterError } from '../core/errors.ts';
import { listenForMetrics, type MetricsListener } from './metrics-listener.ts';
import { createCore, warmStore, type Core, type RuntimeOptions } from './runtime.ts';

export interface WorkerProcess {
  core: Core;
  /** Drains (up to the timeout) and closes; resolves with how many tickets went back to the queue unfinished. */
  stop(timeoutMs: number): Promise<number>;
}

export async function startWorker(
  config: Config,
  logger: pino.Logger,
  options: RuntimeOptions = {},
): Promise<WorkerProcess> {
  if (!config.redis) {
    throw new TwisterError(
      'CONFIG_INVALID',
      'REDIS_URL: twisterlab worker takes tickets off the Redis queue; set REDIS_URL (and DATABASE_URL), or run `twisterlab serve` alone',
      { variable: 'REDIS_URL' },
    );
  }
  const core = await createCore(config, logger, options);
  const { store } = core.opened;
  const { queue } = core.queueing;
  // Final transitions observe the time since the ticket was created; the store-wide gauges are the API's to report.
  core.metrics.setSources({
    queueDepth: () => queue.depth(),
    ticketGroups: async () => [],
    ticketCreatedAt: async (id) => (await store.get(id))?.createdAt,
    storePing: () => store.ping(),
  });
  let listener: MetricsListener | undefined;
  const port = config.redis.workerMetricsPort;
  if (port !== undefined) {
    listener = await listenForMetrics({
      host: config.host,
      port,
      metrics: core.metrics,
      ping: () => store.ping(),
      logger,
    }).catch(async (error: unknown) => {
      await core.close();
      throw error;
    });
    logger.info({ address: listener.address }, 'worker metrics on /metrics, health on /health');
  }
  core.startProcessing();
  await core.queueing.recover({ startRun: config.recoverOnStart });
  logger.info(
    { concurrency: config.redis.workerConcurrency, store: core.opened.kind },
    'TwisterLab worker is taking tickets',
  );
  let stopping: Promise<number> | undefined;
  return {
    core,
    stop(timeoutMs) {
      stopping ??= (async () => {
        const { released } = await core.queueing.drain(timeoutMs);
        await core.close();
        await listener?.close();
        return released;
      })();
      return stopping;
    },
  };
}

/**
 * Intake first across processes: a worker lowers its own CPU priority (raising its nice value needs no privilege),
 * so that an API process on the same host answers new tickets while the worker is busy. Never raises it.
 */
function lowerPriority(nice: number, logger: pino.Logger): void {
  try {
    if (os.getPriority() >= nice) return;
    // On Linux a nice value is a thread's: the threads Node started already (its thread pool, the garbage
    // collector's helpers) are lowered one by one; threads and processes started from now on inherit it.
    const threads = existsSync('/proc/self/task') ? readdirSync('/proc/self/task').map(Number) : [0];
    for (const thread of threads) {
      try {
        os.setPriority(thread, nice);
      } catch (error) {
        // A thread that ended since the listing.
        if ((error as { info?: { code?: string } }).info?.code !== 'ESRCH') throw error;
      }
    }
  } catch (error) {
    logger.warn(
      { err: error instanceof Error ? error.message : String(error), nice },
      "could not lower the worker's CPU priority",
    );
  }
}

/** Runs a worker until SIGTERM or SIGINT, then shuts it down gracefully. Exit code 0 once it is down. */
export async function runWorker(config: Config, logger: pino.Logger): Promise<number> {
  if (config.redis) lowerPriority(config.redis.workerNice, logger);
  const worker = await startWorker(config, logger);
  await warmStore(worker.core.opened, logger);
  const timeoutMs = config.redis!.shutdownTimeoutMs;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal, timeoutMs }, 'worker stopping: no new tickets, letting those in flight finish');
      worker.stop(timeoutMs).then(
        (released) => {
          if (released > 0)
            logger.warn({ released }, 'tickets still running at the shutdown timeout went back to the queue');
          logger.info('worker stopped');
          resolve();
        },
        (err: unknown) => {
          logger.error({ err }, 'worker shutdown failed');
          resolve();
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
