// The SQL of the PostgreSQL capabilities. Every statement leaves out the agent's own backend; every signal
// (cancel, terminate) is sent by the statement that checks the condition, so a pid that stopped blocking or
// was recycled between the check and the act is not touched.

const AGE_MS = (column: string) => `(extract(epoch FROM now() - ${column}) * 1000)::float8`;

/** Every pid that some session waiting on a lock is blocked by, right now. */
const BLOCKERS_CTE = `blockers AS (
  SELECT DISTINCT unnest(pg_blocking_pids(b.pid)) AS pid
  FROM pg_stat_activity b
  WHERE b.wait_event_type = 'Lock' AND b.pid <> pg_backend_pid()
)`;

/** All sessions but ours; `blocked_by` only for those waiting on a lock (pg_blocking_pids takes the lock manager). */
export const ACTIVITY_SQL = `
SELECT a.pid, a.datname = current_database() AS this_database, a.usename AS user, a.application_name, a.state, a.backend_type,
  ${AGE_MS('a.xact_start')} AS xact_age_ms,
  ${AGE_MS('a.query_start')} AS query_age_ms,
  (SELECT ${AGE_MS('min(l.waitstart)')} FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS lock_wait_ms,
  a.query,
  CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END AS blocked_by
FROM pg_stat_activity a
WHERE a.pid <> pg_backend_pid()`;

/** For each pid asked about: does it exist, is it ours, its backend type and state, does it block anyone. */
export const CHECK_PIDS_SQL = `
WITH ${BLOCKERS_CTE}
SELECT p.pid, a.pid IS NOT NULL AS found, p.pid = pg_backend_pid() AS own, a.backend_type, a.state,
  EXISTS (SELECT 1 FROM blockers k WHERE k.pid = p.pid) AS blocking
FROM unnest($1::int[]) WITH ORDINALITY AS p(pid, n) LEFT JOIN pg_stat_activity a ON a.pid = p.pid
ORDER BY p.n`;

function signalIfBlocking(fn: 'pg_cancel_backend' | 'pg_terminate_backend'): string {
  return `
WITH ${BLOCKERS_CTE}
SELECT a.pid, ${fn}(a.pid) AS signalled
FROM pg_stat_activity a JOIN blockers k ON k.pid = a.pid
WHERE a.pid = $1 AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()`;
}

/** One row (signalled true or false) when the pid is a client backend still blocking someone; none otherwise. */
export const CANCEL_IF_BLOCKING_SQL = signalIfBlocking('pg_cancel_backend');
export const TERMINATE_IF_BLOCKING_SQL = signalIfBlocking('pg_terminate_backend');

/** Those of the pids that still block someone. */
export const STILL_BLOCKING_SQL = `
WITH ${BLOCKERS_CTE}
SELECT pid FROM blockers WHERE pid = ANY ($1::int[])`;

/** Those of the pids that still exist. */
export const STILL_ALIVE_SQL = `SELECT pid FROM pg_stat_activity WHERE pid = ANY ($1::int[])`;

/** Sessions of this database waiting on a lock someone holds. */
export const BLOCKED_COUNT_SQL = `
SELECT count(*)::int AS blocked
FROM pg_stat_activity b
WHERE b.datname = current_database() AND b.pid <> pg_backend_pid() AND b.wait_event_type = 'Lock'
  AND cardinality(pg_blocking_pids(b.pid)) > 0`;

const CLIENTS = `backend_type = 'client backend' AND pid <> pg_backend_pid()`;

/** Client backends of the whole server (max_connections is server-wide), by state. */
export const CONNECTIONS_BY_STATE_SQL = `
SELECT coalesce(state, 'unknown') AS state, count(*)::int AS count
FROM pg_stat_activity WHERE ${CLIENTS}
GROUP BY 1 ORDER BY 1`;

// Slots kept for superusers (and, from PostgreSQL 16, for roles with pg_use_reserved_connections): an application
// role is refused once the others are taken, while a superuser's `SELECT 1` still passes.
export const MAX_CONNECTIONS_SQL = `SELECT current_setting('max_connections')::int AS max_connections,
  current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true), '0')::int AS reserved`;

/** `idle in transaction` also covers its aborted form: both keep the transaction (and its locks) open. */
const IDLE_STATE_MATCH = `(state = $1 OR ($1 = 'idle in transaction' AND state = 'idle in transaction (aborted)'))`;

export const IDLE_IN_TRANSACTION_SQL = `
SELECT pid, usename AS user, application_name, ${AGE_MS('state_change')} AS state_age_ms
FROM pg_stat_activity
WHERE ${CLIENTS} AND datname = current_database() AND state IN ('idle in transaction', 'idle in transaction (aborted)')
ORDER BY state_change
LIMIT $1`;

/** Terminates the oldest client backends of this database in the state for longer than $2 ms, at most $3. */
export const TERMINATE_IDLE_SQL = `
SELECT pid, pg_terminate_backend(pid) AS signalled
FROM (
  SELECT pid FROM pg_stat_activity
  WHERE ${CLIENTS} AND datname = current_database() AND ${IDLE_STATE_MATCH}
    AND state_change < now() - make_interval(secs => $2::float8 / 1000)
  ORDER BY state_change
  LIMIT $3
) candidates`;
