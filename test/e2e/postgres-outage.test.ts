// Fault test: the real `twisterlab serve` process on a PostgreSQL cluster of its own, which is stopped while
// tickets are being worked on. While it is down the API answers 503 STORE_UNAVAILABLE (with Retry-After)
// instead of hanging, and the process stays up; when it is back the API recovers by itself and every ticket
// acknowledged before the outage is still there and settles (the shop answers: no fault found, nothing run after
// diagnosis), each step stored once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin/twisterlab.js');
// Where the loop stops on its own: a final state, or a diagnosis that found nothing.
const FINAL = ['resolved', 'escalated', 'failed', 'no_fault_found'];
const TICKETS = 24;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A request's status, body and Retry-After. A request that hangs is caught by the test's own timeout. */
async function request(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const response = await fetch(url, init);
  const body = await response.json();
  return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
}

/** Polls until the probe has a value: waits on progress, bounded only by the test's own timeout. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('PostgreSQL outage under the real server process', () => {
  let cluster: PostgresCluster;
  let server: ChildProcess;
  let output = '';
  let base: string;
  let service: Server;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-outage-'));

  beforeAll(async () => {
    cluster = await createPostgresCluster();
    // A service whose health probe takes a while, so tickets are mid-plan when the database goes away.
    service = createServer((_req, res) => setTimeout(() => res.end('ok'), 150));
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TWISTERLAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: cluster.url(),
      REDIS_URL: undefined,
      TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${(service.address() as AddressInfo).port}/`,
      TWISTERLAB_CONCURRENCY: '6',
      TWISTERLAB_LEASE_MS: '1000',
      TWISTERLAB_STORE_WAIT_MS: '1000',
    };
    server = spawn(process.execPath, [CLI, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    await until(async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    service?.close();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 (not hanging) while PostgreSQL is down, recovers by itself, and loses no acknowledged ticket', async () => {
    const submit = () =>
      request(`${base}/api/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ description: 'The shop is down, customers cannot pay!' }),
      });
    const acknowledged = (await Promise.all(Array.from({ length: TICKETS }, submit))).map((r) => {
      expect(r.status).toBe(202);
      return r.body.ticket.id as string;
    });
    await new Promise((r) => setTimeout(r, 300));
    const before = await Promise.all(
      acknowledged.map(async (id) => (await request(`${base}/api/v1/tickets/${id}`)).body.ticket.status as string),
    );
    const unfinished = before.filter((s) => !FINAL.includes(s)).length;
    expect(unfinished).toBeGreaterThan(0); // the outage hits tickets in the middle of their plan

    await cluster.stop();
    // Refused, not hanging: an answer at all (within the test's timeout) with the store's own error and a Retry-After.
    const post = await submit();
    const get = await request(`${base}/api/v1/tickets/${acknowledged[0]}`);
    const list = await request(`${base}/api/v1/tickets`);
    for (const refused of [post, get, list]) {
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toMatch(/^\d+$/);
      expect(refused.body.error.code).toBe('STORE_UNAVAILABLE');
      // A 5xx says which failure it is and names the request id its log line has; no host, port or driver words.
      expect(refused.body.error).toMatchObject({
        message: 'the database cannot be reached',
        requestId: expect.any(String),
      });
    }
    const health = await request(`${base}/health`);
    expect(health.status).toBe(503);
    expect(health.body.store).toMatchObject({ ok: false, kind: 'postgres' });

    await new Promise((r) => setTimeout(r, 2_500)); // long enough for writes to give up and go back to the queue
    expect(server.exitCode).toBeNull();
    await cluster.start();
    await until(async () => ((await request(`${base}/health`)).status === 200 ? true : undefined));

    const after = await until(async () => {
      const details = await Promise.all(
        acknowledged.map(async (id) => (await request(`${base}/api/v1/tickets/${id}`)).body),
      );
      return details.every((d) => FINAL.includes(d.ticket.status)) ? details : undefined;
    });
    expect(after.map((d) => d.ticket.status)).toEqual(acknowledged.map(() => 'no_fault_found'));
    for (const detail of after) {
      const indexes = detail.steps.map((s: { executionId: string; index: number }) => `${s.executionId}:${s.index}`);
      expect(new Set(indexes).size).toBe(indexes.length);
      expect(detail.steps.length).toBeGreaterThan(0);
      expect(
        detail.steps.every(
          (s: { status: string; phase: string }) => s.status === 'succeeded' && s.phase === 'diagnose',
        ),
      ).toBe(true);
    }
    const later = await submit();
    expect(later.status).toBe(202);
    await until(async () => {
      const detail = (await request(`${base}/api/v1/tickets/${later.body.ticket.id}`)).body;
      return FINAL.includes(detail.ticket.status) ? detail : undefined;
    });

    const db = new Client({ connectionString: cluster.url() });
    await db.connect();
    try {
      const { rows } = await db.query<{ resumed: number; reruns: number; running: number }>(`select
        (select count(distinct ticket_id)::int from audit_events where action = 'execution.resumed') as resumed,
        (select count(*)::int from audit_events where action = 'step.rerun') as reruns,
        (select count(*)::int from steps where status = 'running') as running`);
      expect(rows[0]!.running).toBe(0);
      console.info(
        `postgres outage: ${TICKETS} tickets, ${unfinished} unfinished when it stopped; ` +
          `${rows[0]!.resumed} tickets resumed, ${rows[0]!.reruns} interrupted steps run again`,
      );
    } finally {
      await db.end();
    }
  }, 180_000);
});
