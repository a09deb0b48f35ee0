// Turns one snapshot of pg_stat_activity (with pg_blocking_pids) into the lock-contention report:
// who is blocked, by whom, which blockers are at the root of the chains, and what runs for too long.
import { ms, shownText } from './query-text.ts';

export interface ActivityRow {
  pid: number;
  this_database: boolean | null;
  user: string | null;
  application_name: string | null;
  state: string | null;
  backend_type: string | null;
  xact_age_ms: number | null;
  query_age_ms: number | null;
  lock_wait_ms: number | null;
  query: string | null;
  blocked_by: number[] | null;
}

export interface BlockingReport {
  blocked_count: number;
  blocker_pids: number[];
  blockers: Array<{
    pid: number;
    user: string;
    application_name: string;
    state: string;
    xact_age_ms: number;
    query_age_ms: number;
    query: string;
    blocking_count: number;
  }>;
  blocked: Array<{ pid: number; waiting_ms: number; blocked_by: number[]; query: string }>;
  long_running: Array<{ pid: number; state: string; query_age_ms: number; query: string }>;
  max_wait_ms: number;
}

/**
 * Blocked sessions and long-running queries are those of the service's own database; their blockers may be
 * anywhere on the server. pid 0 (a prepared transaction holding the lock) is listed in `blocked_by` but is no
 * session: it is never a blocker to end.
 */
export function buildBlockingReport(rows: readonly ActivityRow[], longRunningMs: number): BlockingReport {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const blockedRows = rows.filter((r) => r.this_database && (r.blocked_by?.length ?? 0) > 0);
  const blockingCount = new Map<number, number>();
  for (const row of blockedRows) {
    for (const pid of new Set(row.blocked_by)) blockingCount.set(pid, (blockingCount.get(pid) ?? 0) + 1);
  }
  const isBlocked = (pid: number) => (byPid.get(pid)?.blocked_by?.length ?? 0) > 0;
  const blockers = [...blockingCount.entries()]
    .filter(([pid]) => byPid.has(pid))
    .sort(([a, ca], [b, cb]) => cb - ca || a - b)
    .map(([pid, count]) => {
      const r = byPid.get(pid)!;
      return {
        pid,
        user: shownText(r.user),
        application_name: shownText(r.application_name),
        state: r.state ?? 'unknown',
        xact_age_ms: ms(r.xact_age_ms),
        query_age_ms: ms(r.query_age_ms),
        query: shownText(r.query),
        blocking_count: count,
      };
    });
  const blocked = blockedRows
    .map((r) => ({
      pid: r.pid,
      waiting_ms: ms(r.lock_wait_ms ?? r.query_age_ms),
      blocked_by: [...new Set(r.blocked_by)].sort((a, b) => a - b),
      query: shownText(r.query),
    }))
    .sort((a, b) => b.waiting_ms - a.waiting_ms || a.pid - b.pid);
  const longRunning = rows
    .filter(
      (r) =>
        r.this_database &&
        r.backend_type === 'client backend' &&
        r.state !== null &&
        r.state !== 'idle' &&
        ms(r.query_age_ms) >= longRunningMs,
    )
    .map((r) => ({ pid: r.pid, state: r.state!, query_age_ms: ms(r.query_age_ms), query: shownText(r.query) }))
    .sort((a, b) => b.query_age_ms - a.query_age_ms || a.pid - b.pid);
  return {
    blocked_count: blocked.length,
    blocker_pids: blockers.filter((b) => !isBlocked(b.pid)).map((b) => b.pid),
    blockers,
    blocked,
    long_running: longRunning,
    max_wait_ms: blocked.reduce((max, b) => Math.max(max, b.waiting_ms), 0),
  };
}
