import { describe, expect, it } from 'vitest';
import { buildBlockingReport, type ActivityRow } from './blocking-report.ts';

function row(pid: number, over: Partial<ActivityRow> = {}): ActivityRow {
  return {
    pid,
    this_database: true,
    user: 'app',
    application_name: 'shop',
    state: 'active',
    backend_type: 'client backend',
    xact_age_ms: 1_000,
    query_age_ms: 500,
    lock_wait_ms: null,
    query: `select ${pid}`,
    blocked_by: [],
    ...over,
  };
}

describe('buildBlockingReport', () => {
  it('names the head of a chain as the only root blocker and counts whom each blocker blocks', () => {
    // 10 blocks 11 and 12; 11 (itself blocked) blocks 13.
    const report = buildBlockingReport(
      [
        row(10, { state: 'idle in transaction' }),
        row(11, { blocked_by: [10], lock_wait_ms: 4_000 }),
        row(12, { blocked_by: [10], lock_wait_ms: 2_500 }),
        row(13, { blocked_by: [11], lock_wait_ms: 1_000 }),
        row(14),
      ],
      30_000,
    );
    expect(report.blocker_pids).toEqual([10]);
    expect(report.blockers.map((b) => [b.pid, b.blocking_count])).toEqual([
      [10, 2],
      [11, 1],
    ]);
    expect(report.blocked.map((b) => [b.pid, b.waiting_ms, b.blocked_by])).toEqual([
      [11, 4_000, [10]],
      [12, 2_500, [10]],
      [13, 1_000, [11]],
    ]);
    expect(report.blocked_count).toBe(3);
    expect(report.max_wait_ms).toBe(4_000);
  });

  it('counts blocked sessions of the service database only, but finds their blockers anywhere', () => {
    const report = buildBlockingReport(
      [
        row(20, { this_database: false }),
        row(21, { blocked_by: [20], lock_wait_ms: 10 }),
        row(22, { this_database: false, blocked_by: [20], lock_wait_ms: 99_000 }),
      ],
      30_000,
    );
    expect(report.blocked.map((b) => b.pid)).toEqual([21]);
    expect(report.blockers).toMatchObject([{ pid: 20, blocking_count: 1 }]);
    expect(report.max_wait_ms).toBe(10);
  });

  it('lists a prepared transaction (pid 0) as a blocker of a session but never as a pid to end', () => {
    const report = buildBlockingReport([row(30, { blocked_by: [0], lock_wait_ms: 100 })], 30_000);
    expect(report.blocked[0]!.blocked_by).toEqual([0]);
    expect(report.blocker_pids).toEqual([]);
    expect(report.blockers).toEqual([]);
  });

  it('lists as long-running the non-idle client sessions of the database past the threshold, oldest first', () => {
    const report = buildBlockingReport(
      [
        row(40, { query_age_ms: 45_000 }),
        row(41, { query_age_ms: 90_000, state: 'idle in transaction' }),
        row(42, { query_age_ms: 600_000, state: 'idle' }),
        row(43, { query_age_ms: 29_999 }),
        row(44, { query_age_ms: 700_000, backend_type: 'autovacuum worker' }),
        row(45, { query_age_ms: 700_000, this_database: false }),
      ],
      30_000,
    );
    expect(report.long_running.map((r) => r.pid)).toEqual([41, 40]);
  });

  it('redacts secrets in query texts before cutting them to 200 characters, and rounds ages', () => {
    const secret = "select * from users where password = 'hunter2-very-secret'";
    const report = buildBlockingReport(
      [
        row(50, { query: `${secret} and ${'x'.repeat(400)}`, xact_age_ms: 12.7, query_age_ms: null }),
        row(51, { blocked_by: [50], query: 'select 1', lock_wait_ms: null, query_age_ms: 300.4 }),
      ],
      30_000,
    );
    const blocker = report.blockers[0]!;
    expect(blocker.query).toHaveLength(200);
    expect(blocker.query).not.toContain('hunter2');
    expect(blocker.query).toContain('[REDACTED]');
    expect([blocker.xact_age_ms, blocker.query_age_ms]).toEqual([13, 0]);
    // No lock wait start yet: the query's age stands in.
    expect(report.blocked[0]!.waiting_ms).toBe(300);
  });
});
