// The connection discipline of the database agent on real sockets: statement_timeout, connect timeout, and a
// connection closed as soon as the call is abandoned.
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { createDatabaseAgent } from './database-agent.ts';
import { withPostgres } from './pg-session.ts';

const TARGET = 'postgresql://postgres@127.0.0.1:5432/test';
/** Accepts connections and never answers: a server that hangs. */
let silent: Server;
let silentPort: number;
const accepted: Socket[] = [];

beforeAll(async () => {
  silent = createServer((socket) => {
    accepted.push(socket);
    // Read (and drop) what the client sends, so its hang-up is seen and the socket closes.
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  accepted.forEach((s) => s.destroy());
  await new Promise((resolve) => silent.close(resolve));
});

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('withPostgres', () => {
  it('sets statement_timeout and lock_timeout to the timeout before the first query', async () => {
    const settings = await withPostgres(TARGET, { timeoutMs: 1_234, signal: new AbortController().signal }, (session) =>
      session.query<{ st: string; lt: string }>(
        `SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt`,
      ),
    );
    expect(settings).toEqual([{ st: '1234ms', lt: '1234ms' }]);
  });

  it('has the server cancel a statement that runs past the timeout', async () => {
    // The sleep outlasts the test's own timeout: only the session's statement_timeout can end it in time.
    const run = withPostgres(TARGET, { timeoutMs: 500, signal: new AbortController().signal }, (session) =>
      session.query('SELECT pg_sleep(3600)'),
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_QUERY_FAILED', details: { code: '57014' } });
    // Cancelled by the server's statement timeout (not a cancel request or the client), at the session's 500 ms.
    expect((error as Error).message).toContain('no answer within 500 ms');
    expect((error as Error).message).toContain('canceling statement due to statement timeout');
  });

  it('gives up connecting to a server that does not answer after the connect timeout, and closes the socket', async () => {
    const before = accepted.length;
    // The silent server never answers: without the 300 ms connect timeout this call would outlast the test.
    const run = withPostgres(
      `postgresql://postgres:pw-never-shown@127.0.0.1:${silentPort}/x`,
      { timeoutMs: 300, signal: new AbortController().signal },
      async () => 'never',
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SERVICE_QUERY_FAILED',
      message: expect.stringContaining('could not connect: no answer within 300 ms'),
    });
    expect(String((error as Error).message)).not.toContain('pw-never-shown');
    expect(accepted.length).toBe(before + 1);
    await closed(accepted.at(-1)!);
  });

  it('closes the connection when the call is abandoned mid-query, and the server drops the query', async () => {
    const controller = new AbortController();
    let pid = 0;
    const run = withPostgres(TARGET, { timeoutMs: 20_000, signal: controller.signal }, async (session) => {
      pid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
      // Longer than the test's own timeout: only the server dropping the query ends its backend in time.
      return session.query(`SELECT pg_sleep(3600) /* abandoned */`);
    });
    const monitor = new pg.Client({ connectionString: TARGET });
    await monitor.connect();
    try {
      const running = async () =>
        (await monitor.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%abandoned%'`, [pid]))
          .rowCount === 1;
      while (!(pid && (await running()))) await new Promise((r) => setTimeout(r, 20));
      controller.abort(new Error('caller gave up'));
      await expect(run).rejects.toThrow('caller gave up');
      // Wait for the backend to go: it can only do so before the sleep ends if the server noticed the hang-up.
      while ((await monitor.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await monitor.end();
    }
  });
});

describe('the capability timeout', () => {
  it('aborts a call stuck connecting and closes its socket', async () => {
    const registry = new CapabilityRegistry({ logger: silentLogger });
    registry.register(
      createDatabaseAgent({
        services: [
          { name: 'hung-pg', kind: 'postgres', target: `postgresql://postgres@127.0.0.1:${silentPort}/x` },
          { name: 'hung-redis', kind: 'redis', target: `redis://127.0.0.1:${silentPort}` },
        ],
        timeoutMs: 10_000,
      }),
    );
    for (const [capability, service] of [
      ['connection_usage', 'hung-pg'],
      ['redis_memory_usage', 'hung-redis'],
    ] as const) {
      const before = accepted.length;
      // The agent's own timeout (10 s) is left long: only the capability timeout of 300 ms can produce this error.
      const result = await registry.invoke(
        `database.${capability}`,
        { service_name: service },
        { actor: 'test', timeoutMs: 300 },
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'CAPABILITY_TIMEOUT' } });
      // The connection attempt reached the silent server, and the abort closed it.
      while (accepted.length === before) await new Promise((r) => setTimeout(r, 20));
      expect(accepted.length, capability).toBe(before + 1);
      await closed(accepted.at(-1)!);
    }
  });
});
