// database.find_blocking_queries: one snapshot of who blocks whom on a PostgreSQL service.
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import { ACTIVITY_SQL } from './activity-sql.ts';
import { buildBlockingReport, type ActivityRow } from './blocking-report.ts';
import { withService, type DatabaseDeps } from './database-deps.ts';
import { withPostgres } from './pg-session.ts';

export const serviceName = z
  .string()
  .min(1)
  .max(128)
  .describe("Name of a declared service (TWISTERLAB_SERVICES or a device's services)");
const pid = z.number().int().nonnegative();
const query = z.string().describe('Query text, secrets redacted, at most 200 characters');

const input = z.strictObject({
  service_name: serviceName.describe('A declared postgres service'),
  long_running_ms: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(30_000)
    .describe('Queries running (or transactions idle) for longer than this are listed as long-running'),
});

const output = z.object({
  blocked_count: z.number().int().nonnegative(),
  blocker_pids: z.array(pid).describe('Root blockers: they block others and are not blocked themselves'),
  blockers: z.array(
    z.object({
      pid,
      user: z.string(),
      application_name: z.string(),
      state: z.string(),
      xact_age_ms: z.number().nonnegative(),
      query_age_ms: z.number().nonnegative(),
      query,
      blocking_count: z.number().int().positive(),
    }),
  ),
  blocked: z.array(z.object({ pid, waiting_ms: z.number().nonnegative(), blocked_by: z.array(pid), query })),
  long_running: z.array(z.object({ pid, state: z.string(), query_age_ms: z.number().nonnegative(), query })),
  max_wait_ms: z.number().nonnegative(),
});

export const findBlockingQueries = defineCapability<typeof input, typeof output, DatabaseDeps>({
  id: 'database.find_blocking_queries',
  description:
    'Lock contention on a PostgreSQL service (pg_blocking_pids): sessions of its database waiting on a lock, the sessions blocking them (root blockers first), and long-running queries',
  risk: 'read',
  input,
  output,
  run: (args, ctx) =>
    withService(ctx.deps, args.service_name, 'postgres', ctx.signal, (target) =>
      withPostgres(target, { timeoutMs: ctx.deps.timeoutMs, signal: ctx.signal }, async (pg) => {
        const rows = await pg.query<ActivityRow & Record<string, unknown>>(ACTIVITY_SQL);
        return buildBlockingReport(rows, args.long_running_ms);
      }),
    ),
});
