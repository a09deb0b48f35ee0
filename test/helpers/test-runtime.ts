// Starts a whole TwisterLab runtime (store, agents, HTTP app) on a real backend for integration tests:
// PGlite in a temporary data directory, or a fresh database on the PostgreSQL server on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { hashApiKey } from '../../src/http/plugins/auth.ts';
import { createLogger, createRuntime, type Runtime, type RuntimeOptions } from '../../src/main/runtime.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';

export type BackendName = 'pglite' | 'postgres';
export const BACKENDS: BackendName[] = ['pglite', 'postgres'];

export interface TestRuntime {
  runtime: Runtime;
  app: FastifyInstance;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

/** `logTo` receives the runtime's log lines (set LOG_LEVEL in `env`; it is silent otherwise). */
export async function startTestRuntime(
  backend: BackendName,
  env: Record<string, string> = {},
  options: RuntimeOptions = {},
  logTo?: DestinationStream,
): Promise<TestRuntime> {
  const dataDir = env.TWISTERLAB_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'twisterlab-it-'));
  let database: string | undefined;
  if (backend === 'postgres') {
    database = randomDatabaseName('twisterlab_it');
    await adminQuery(`create database ${database}`);
  }
  const config = loadConfig(
    {
      LOG_LEVEL: 'silent',
      TWISTERLAB_DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: `${POSTGRES_SERVER}/${database}` } : {}),
      ...env,
    },
    hashApiKey,
  );
  const runtime = await createRuntime(config, createLogger(config, logTo ?? 1), options);
  await runtime.app.ready();
  return {
    runtime,
    app: runtime.app,
    config,
    dataDir,
    close: async () => {
      await runtime.close();
      if (database) await adminQuery(`drop database if exists ${database} with (force)`);
      if (!env.TWISTERLAB_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const SETTLED = new Set(['resolved', 'escalated', 'failed', 'no_fault_found']);

/** Polls the ticket until processing stops (a final state, or a finished dry run). */
export async function waitForTicket(
  app: FastifyInstance,
  id: string,
  timeoutMs = 20_000,
  headers: Record<string, string> = {},
): Promise<TicketDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers });
    const detail = response.json() as TicketDetail;
    const dryRunDone = detail.ticket.dryRun && detail.executions.at(-1)?.finishedAt;
    if (SETTLED.has(detail.ticket.status) || dryRunDone) return detail;
    if (Date.now() > deadline) throw new Error(`ticket ${id} still ${detail.ticket.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
