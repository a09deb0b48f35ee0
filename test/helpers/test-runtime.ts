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

/** Polls the ticket until processing stops (a final state, or a finished dry run); see waitForTicketUntil. */
export function waitForTicket(
  app: FastifyInstance,
  id: string,
  stallMs = 20_000,
  headers: Record<string, string> = {},
): Promise<TicketDetail> {
  return waitForTicketUntil(
    app,
    id,
    (detail) =>
      SETTLED.has(detail.ticket.status) || Boolean(detail.ticket.dryRun && detail.executions.at(-1)?.finishedAt),
    { stallMs, headers },
  );
}

/**
 * Polls the ticket until `done` holds for it. Fails only when nothing moved for `stallMs`: neither this ticket (its
 * status, its runs) nor the runtime's audit trail, which grows while tickets ahead of it are processed; a busy
 * machine makes it slower, never wrong.
 */
export async function waitForTicketUntil(
  app: FastifyInstance,
  id: string,
  done: (detail: TicketDetail) => boolean,
  options: { stallMs: number; headers?: Record<string, string>; pollMs?: number },
): Promise<TicketDetail> {
  const headers = options.headers ?? {};
  let seen = '';
  let movedAt = Date.now();
  for (;;) {
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers })).json() as TicketDetail;
    if (done(detail)) return detail;
    const audit = await app.inject({ method: 'GET', url: '/api/v1/audit?limit=1', headers });
    const latestAudit = audit.statusCode === 200 ? (audit.json() as { items: Array<{ id: number }> }).items[0]?.id : 0;
    const state = JSON.stringify([
      detail.ticket.status,
      detail.ticket.updatedAt,
      detail.executions.length,
      latestAudit,
    ]);
    if (state !== seen) {
      seen = state;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > options.stallMs) {
      throw new Error(`ticket ${id} still ${detail.ticket.status}: nothing moved for ${options.stallMs} ms`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 25));
  }
}
