// One PostgreSQL connection per call: connect timeout, statement_timeout and lock_timeout set before any
// query, closed when the call ends or its signal aborts (and the server told to notice). No pool is kept.
import { serviceError, untilAborted } from './service-errors.ts';

export interface PgSession {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

const APPLICATION_NAME = 'twisterlab-database-agent';
const CONNECTION_CHECK_MS = 1_000;

export async function withPostgres<T>(
  target: string,
  options: { timeoutMs: number; signal: AbortSignal },
  use: (session: PgSession) => Promise<T>,
): Promise<T> {
  const { timeoutMs, signal } = options;
  // Loaded on the first call: listing the catalogue must not load the PostgreSQL client.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: target,
    connectionTimeoutMillis: timeoutMs,
    application_name: APPLICATION_NAME,
  });
  client.on('error', () => undefined);
  // A query in flight when the call is abandoned: ending the connection makes the server drop it.
  let ended: Promise<void> | undefined;
  const end = () => (ended ??= client.end().catch(() => undefined));
  const close = () => void end();
  signal.addEventListener('abort', close, { once: true });
  const session: PgSession = {
    query: async <R extends Record<string, unknown>>(text: string, values?: unknown[]) => {
      try {
        return (await untilAborted(client.query<R>(text, values), signal)).rows;
      } catch (error) {
        throw signal.aborted ? error : serviceError(error, 'query failed', target, timeoutMs);
      }
    },
  };
  try {
    try {
      await untilAborted(client.connect(), signal);
    } catch (error) {
      throw signal.aborted ? error : serviceError(error, 'could not connect', target, timeoutMs);
    }
    const ms = Math.max(1, Math.floor(timeoutMs));
    // client_connection_check_interval (PostgreSQL 14+): a query of a connection closed on abort stops within a second.
    await session.query(
      `SET statement_timeout = ${ms}; SET lock_timeout = ${ms}; ` +
        `SELECT set_config('client_connection_check_interval', '${CONNECTION_CHECK_MS}', false) WHERE current_setting('server_version_num')::int >= 140000`,
    );
    return await use(session);
  } finally {
    signal.removeEventListener('abort', close);
    await end();
  }
}
