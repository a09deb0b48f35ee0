// database.connection_usage and database.terminate_idle_sessions: connection exhaustion on a PostgreSQL
// service. Counts are server-wide (max_connections is); sessions listed or terminated are those of the
// service's own database. Only client backends count, never the agent's own connection.
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import {
  CONNECTIONS_BY_STATE_SQL,
  IDLE_IN_TRANSACTION_SQL,
  MAX_CONNECTIONS_SQL,
  TERMINATE_IDLE_SQL,
} from './activity-sql.ts';
import { withService, type DatabaseDeps } from './database-deps.ts';
import { serviceName } from './find-blocking-queries.ts';
import { withPostgres } from './pg-session.ts';
import { ms, shownText } from './query-text.ts';

/** The idle-in-transaction list is cut here, oldest first: enough to act on, bounded in size. */
export const IDLE_LIST_LIMIT = 500;

const usageInput = z.strictObject({ service_name: serviceName.describe('A declared postgres service') });

const usageOutput = z.object({
  total: z.number().int().nonnegative().describe("Client backends on the server, the agent's own connection left out"),
  max_connections: z.number().int().positive(),
  used_percent: z.number().nonnegative(),
  reserved_connections: z
    .number()
    .int()
    .nonnegative()
    .describe('Slots only superusers (and pg_use_reserved_connections roles) may take'),
  available_to_app: z
    .number()
    .int()
    .describe(
      'Slots an ordinary role can still take: max_connections - reserved - total (0 or less: the application is refused)',
    ),
  by_state: z.record(z.string(), z.number().int().nonnegative()),
  idle_in_transaction: z.array(
    z.object({
      pid: z.number().int(),
      user: z.string(),
      application_name: z.string(),
      state_age_ms: z.number().nonnegative(),
    }),
  ),
});

export const connectionUsage = defineCapability<typeof usageInput, typeof usageOutput, DatabaseDeps>({
  id: 'database.connection_usage',
  description:
    'Connections of a PostgreSQL service: client backends against max_connections, by state, and the sessions of its database idle in transaction (oldest first)',
  risk: 'read',
  input: usageInput,
  output: usageOutput,
  run: (args, ctx) =>
    withService(ctx.deps, args.service_name, 'postgres', ctx.signal, (target) =>
      withPostgres(target, { timeoutMs: ctx.deps.timeoutMs, signal: ctx.signal }, async (pg) => {
        const states = await pg.query<{ state: string; count: number }>(CONNECTIONS_BY_STATE_SQL);
        const [settings] = await pg.query<{ max_connections: number; reserved: number }>(MAX_CONNECTIONS_SQL);
        const idle = await pg.query<{
          pid: number;
          user: string | null;
          application_name: string | null;
          state_age_ms: number;
        }>(IDLE_IN_TRANSACTION_SQL, [IDLE_LIST_LIMIT]);
        const total = states.reduce((sum, s) => sum + s.count, 0);
        const max = settings?.max_connections ?? 1;
        return {
          total,
          max_connections: max,
          used_percent: Math.round((total / max) * 1000) / 10,
          reserved_connections: settings?.reserved ?? 0,
          // The agent's own session is not counted in total, but it holds a slot too (a reserved one when superuser).
          available_to_app: max - (settings?.reserved ?? 0) - total,
          by_state: Object.fromEntries(states.map((s) => [s.state, s.count])),
          idle_in_transaction: idle.map((r) => ({
            pid: r.pid,
            user: shownText(r.user),
            application_name: shownText(r.application_name),
            state_age_ms: ms(r.state_age_ms),
          })),
        };
      }),
    ),
});

const terminateInput = z.strictObject({
  service_name: serviceName.describe('A declared postgres service'),
  state: z
    .enum(['idle in transaction', 'idle'])
    .default('idle in transaction')
    .describe('"idle in transaction" includes its aborted form'),
  older_than_ms: z.number().int().min(1_000).describe('Only sessions in the state for longer than this'),
  limit: z.number().int().min(1).max(500).default(50).describe('At most this many, oldest first'),
});

const terminateOutput = z.object({ terminated: z.array(z.number().int()), count: z.number().int().nonnegative() });

export const terminateIdleSessions = defineCapability<typeof terminateInput, typeof terminateOutput, DatabaseDeps>({
  id: 'database.terminate_idle_sessions',
  description:
    "Terminates client backends of a PostgreSQL service's database that have been idle (in transaction) for longer than older_than_ms, oldest first, never the agent's own or any non-client backend",
  risk: 'destructive',
  input: terminateInput,
  output: terminateOutput,
  run: (args, ctx) =>
    withService(ctx.deps, args.service_name, 'postgres', ctx.signal, (target) =>
      withPostgres(target, { timeoutMs: ctx.deps.timeoutMs, signal: ctx.signal }, async (pg) => {
        const rows = await pg.query<{ pid: number; signalled: boolean }>(TERMINATE_IDLE_SQL, [
          args.state,
          args.older_than_ms,
          args.limit,
        ]);
        const terminated = rows.filter((r) => r.signalled).map((r) => r.pid);
        ctx.logger.info({ service: args.service_name, state: args.state, terminated }, 'terminated idle sessions');
        return { terminated, count: terminated.length };
      }),
    ),
});
