// database.end_blocking_sessions: ends the sessions a diagnosis named, if they still block someone now.
// Cancel first (the running query stops, the session stays), wait for the blocking to go, then terminate
// what still blocks. A blocker idle in transaction runs no query, so a cancel cannot help it: it goes
// straight to the terminate step.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import { isTwisterError } from '../../core/errors.ts';
import {
  BLOCKED_COUNT_SQL,
  CANCEL_IF_BLOCKING_SQL,
  CHECK_PIDS_SQL,
  STILL_ALIVE_SQL,
  STILL_BLOCKING_SQL,
  TERMINATE_IF_BLOCKING_SQL,
} from './activity-sql.ts';
import { withService, type DatabaseDeps } from './database-deps.ts';
import { serviceName } from './find-blocking-queries.ts';
import { withPostgres, type PgSession } from './pg-session.ts';

export const MAX_GRACE_MS = 30_000;
/** How long a terminated backend gets to exit (and release its locks) before the count of blocked sessions. */
export const EXIT_WAIT_MS = 5_000;
const POLL_MS = 100;

const input = z.strictObject({
  service_name: serviceName.describe('A declared postgres service'),
  pids: z
    .array(z.number().int().positive())
    .max(50)
    .describe(
      'Backend pids, e.g. blocker_pids of database.find_blocking_queries; none: nothing to end (still_blocked is reported)',
    ),
  mode: z.enum(['cancel_then_terminate', 'cancel', 'terminate']).default('cancel_then_terminate'),
  grace_ms: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_MS)
    .default(2_000)
    .describe('How long a cancelled session may take to stop blocking before it is terminated'),
});

const output = z.object({
  ended: z.array(z.object({ pid: z.number().int(), how: z.enum(['cancelled', 'terminated']) })),
  skipped: z.array(z.object({ pid: z.number().int(), reason: z.string() })),
  still_blocked: z.number().int().nonnegative().describe('Sessions of the database still waiting on a lock afterwards'),
});

type Output = z.input<typeof output>;
type Args = z.output<typeof input>;
type Mode = Args['mode'];

interface CheckRow extends Record<string, unknown> {
  pid: number;
  found: boolean;
  own: boolean;
  backend_type: string | null;
  state: string | null;
  blocking: boolean;
}

const isIdleInTransaction = (state: string | null) => state?.startsWith('idle in transaction') ?? false;

function skipReason(row: CheckRow): string | undefined {
  if (row.own) return "the agent's own backend";
  if (!row.found) return 'no such backend (finished, or the pid was never a backend)';
  if (row.backend_type !== 'client backend') return `not a client backend (${row.backend_type ?? 'unknown'})`;
  if (!row.blocking) return 'blocks nobody now';
  return undefined;
}

/** Who gets a cancel and who goes straight to terminate; the rest are skipped with a reason. */
function triage(rows: CheckRow[], mode: Mode, out: Output): { cancel: number[]; terminate: number[] } {
  const plan = { cancel: [] as number[], terminate: [] as number[] };
  for (const row of rows) {
    const reason = skipReason(row);
    if (reason) out.skipped.push({ pid: row.pid, reason });
    else if (mode === 'terminate') plan.terminate.push(row.pid);
    else if (!isIdleInTransaction(row.state)) plan.cancel.push(row.pid);
    else if (mode === 'cancel')
      out.skipped.push({
        pid: row.pid,
        reason:
          'idle in transaction: a cancel does not end its transaction (use mode cancel_then_terminate or terminate)',
      });
    else plan.terminate.push(row.pid);
  }
  return plan;
}

/** Sends the signal to each pid that still blocks; returns those signalled. Refusals are skips, not failures. */
async function signalEach(
  pg: PgSession,
  sql: string,
  pids: number[],
  out: Output,
  onGone: (pid: number) => void,
): Promise<number[]> {
  const signalled: number[] = [];
  for (const pid of pids) {
    try {
      const [row] = await pg.query<{ signalled: boolean }>(sql, [pid]);
      if (!row) onGone(pid);
      else if (row.signalled) signalled.push(pid);
      else out.skipped.push({ pid, reason: 'the signal was not delivered (the backend had just exited)' });
    } catch (error) {
      if (!isTwisterError(error) || error.details?.code !== '42501') throw error;
      out.skipped.push({ pid, reason: `permission denied: ${error.message}` });
    }
  }
  return signalled;
}

/** Polls until none of the pids is in the answer of `sql` or the wait is over; returns those still in it. */
async function waitUntilNone(
  pg: PgSession,
  sql: string,
  pids: number[],
  waitMs: number,
  signal: AbortSignal,
): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  let remaining = pids;
  while (remaining.length > 0) {
    remaining = (await pg.query<{ pid: number }>(sql, [remaining])).map((r) => r.pid);
    if (remaining.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), undefined, { signal });
  }
  return remaining;
}

async function endBlocking(pg: PgSession, args: Args, signal: AbortSignal): Promise<Output> {
  const out: Output = { ended: [], skipped: [], still_blocked: 0 };
  const rows = await pg.query<CheckRow>(CHECK_PIDS_SQL, [[...new Set(args.pids)]]);
  const plan = triage(rows, args.mode, out);
  const stoppedBlocking = (pid: number) => out.skipped.push({ pid, reason: 'no longer blocks anyone' });
  const cancelled = await signalEach(pg, CANCEL_IF_BLOCKING_SQL, plan.cancel, out, stoppedBlocking);
  const stillBlocking = await waitUntilNone(pg, STILL_BLOCKING_SQL, cancelled, args.grace_ms, signal);
  for (const pid of cancelled) if (!stillBlocking.includes(pid)) out.ended.push({ pid, how: 'cancelled' });
  if (args.mode === 'cancel') {
    for (const pid of stillBlocking)
      out.skipped.push({ pid, reason: `still blocking ${args.grace_ms} ms after the cancel` });
  } else {
    // A cancelled session that stops blocking right before its terminate was ended by the cancel.
    const gone = (pid: number) =>
      cancelled.includes(pid) ? out.ended.push({ pid, how: 'cancelled' }) : stoppedBlocking(pid);
    const terminated = await signalEach(
      pg,
      TERMINATE_IF_BLOCKING_SQL,
      [...stillBlocking, ...plan.terminate],
      out,
      gone,
    );
    for (const pid of terminated) out.ended.push({ pid, how: 'terminated' });
    await waitUntilNone(pg, STILL_ALIVE_SQL, terminated, EXIT_WAIT_MS, signal);
  }
  const [count] = await pg.query<{ blocked: number }>(BLOCKED_COUNT_SQL);
  out.still_blocked = count?.blocked ?? 0;
  return out;
}

export const endBlockingSessions = defineCapability<typeof input, typeof output, DatabaseDeps>({
  id: 'database.end_blocking_sessions',
  description:
    'Ends PostgreSQL sessions that block others: each pid must be a client backend still blocking someone now (else it is skipped with a reason); cancel, wait grace_ms, then terminate what still blocks (idle-in-transaction blockers are terminated directly)',
  risk: 'change',
  input,
  output,
  run: (args, ctx) =>
    withService(ctx.deps, args.service_name, 'postgres', ctx.signal, (target) =>
      withPostgres(target, { timeoutMs: ctx.deps.timeoutMs, signal: ctx.signal }, (pg) =>
        endBlocking(pg, args, ctx.signal),
      ),
    ),
});
