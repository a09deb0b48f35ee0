// PostgreSQL as the application sees it: connect with the app's role (refused slots, bad credentials show),
// then run the app's own read-only query in a READ ONLY transaction with statement and lock timeouts, so a
// lock chain that a privileged `SELECT 1` walks past is reported as the app's query timing out.
import type pg from 'pg';
import type { HealthFailure } from '../../core/ports.ts';
import { untilAborted, type AppCredentials, type Probe, type ProbeResult } from './probe.ts';

/** Share of the check's deadline the query may take, so the server's own timeout (with its SQLSTATE) fires first. */
const QUERY_SHARE = 0.6;

/** The target with the app's role, password and database in place of the URL's. */
function connectionString(target: string, app: AppCredentials | undefined): string {
  if (!app) return target;
  const url = new URL(target);
  url.username = encodeURIComponent(app.user);
  url.password = app.password ? encodeURIComponent(app.password) : '';
  if (app.database) url.pathname = `/${encodeURIComponent(app.database)}`;
  return url.toString();
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** What a server refusal at connect time means for the app. */
function connectFailure(code: string, message: string): HealthFailure {
  if (code === '53300' || /remaining connection slots are reserved|too many clients/i.test(message)) return 'no_slots';
  if (code.startsWith('28')) return 'auth';
  return 'query_failed';
}

function queryFailure(code: string): HealthFailure {
  // 57014: canceled by statement_timeout; 55P03: lock_timeout while queued behind a lock.
  return code === '57014' || code === '55P03' ? 'query_timeout' : 'query_failed';
}

function refused(error: unknown, phase: 'connect' | 'query', who: string): ProbeResult | undefined {
  const code = sqlState(error);
  if (!code) return undefined;
  const message = (error as Error).message;
  const failure = phase === 'connect' ? connectFailure(code, message) : queryFailure(code);
  const what = phase === 'connect' ? `connecting as ${who}` : `the check query as ${who}`;
  return { healthy: false, failure, errorCode: code, detail: `${what} failed: ${message} (SQLSTATE ${code})` };
}

async function runReadOnly(client: pg.Client, query: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  await untilAborted(client.query('BEGIN READ ONLY'), signal);
  // The lock timeout is the shorter: a query queued behind a lock then says so (55P03), a slow one says 57014.
  const lockTimeoutMs = Math.max(1, Math.floor(timeoutMs * 0.8));
  await untilAborted(
    client.query("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)", [
      String(timeoutMs),
      String(lockTimeoutMs),
    ]),
    signal,
  );
  // The extended protocol takes exactly one statement: the query cannot end the transaction and go on.
  // (`queryMode` is pg's option for it; its type definitions do not list it yet.)
  const extended: pg.QueryConfig = Object.assign({ text: query }, { queryMode: 'extended' });
  const result = await untilAborted(client.query(extended), signal);
  await untilAborted(client.query('ROLLBACK'), signal);
  return result.rowCount ?? result.rows.length;
}

export const probePostgres: Probe = async (target, { timeoutMs, signal, app, check, progress }) => {
  const who = app ? `role ${app.user}` : `role ${decodeURIComponent(new URL(target).username) || '(default)'}`;
  const {
    default: { Client },
  } = await import('pg');
  const client = new Client({
    connectionString: connectionString(target, app),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    try {
      await untilAborted(client.connect(), signal);
    } catch (error) {
      if (sqlState(error)) progress.reachable = true;
      const result = refused(error, 'connect', who);
      if (result) return result;
      throw error;
    }
    progress.reachable = true;
    progress.phase = 'query';
    if (!check?.query) {
      const result = await untilAborted(client.query<{ ok: number }>('SELECT 1 AS ok'), signal);
      const ok = result.rows[0]?.ok === 1;
      return ok
        ? { healthy: true, detail: `SELECT 1 ok as ${who}` }
        : { healthy: false, failure: 'query_failed', detail: 'SELECT 1 returned an unexpected result' };
    }
    const queryTimeoutMs = Math.max(1, Math.min(check.timeoutMs ?? Infinity, Math.floor(timeoutMs * QUERY_SHARE)));
    try {
      const rows = await runReadOnly(client, check.query, queryTimeoutMs, signal);
      return { healthy: true, detail: `check query ok as ${who} (${rows} row${rows === 1 ? '' : 's'})` };
    } catch (error) {
      const result = refused(error, 'query', who);
      if (result) return result;
      throw error;
    }
  } finally {
    // Not awaited: closing the connection is not part of the latency, and must not hold up the answer.
    void client.end().catch(() => undefined);
  }
};
