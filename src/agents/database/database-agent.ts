// The database agent: diagnoses and relieves PostgreSQL lock contention and connection exhaustion, and reads
// Redis memory pressure, on services declared by name. Each call opens one connection and closes it.
import { defineAgent } from '../../core/capability.ts';
import { connectionUsage, terminateIdleSessions } from './connection-usage.ts';
import type { DatabaseDeps } from './database-deps.ts';
import { endBlockingSessions, EXIT_WAIT_MS, MAX_GRACE_MS } from './end-blocking-sessions.ts';
import { findBlockingQueries } from './find-blocking-queries.ts';
import { redisMemoryUsage } from './redis-memory.ts';

export type { DatabaseDeps, ServiceReach } from './database-deps.ts';

/** Room for the connection (and a tunnel) and a few statements around the waits. */
const MARGIN_MS = 2_000;

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const databaseAgent = {
  id: 'database',
  description:
    'Finds and ends PostgreSQL lock contention and idle sessions, reads connection usage and Redis memory pressure of declared services',
  capabilities: [findBlockingQueries, endBlockingSessions, connectionUsage, terminateIdleSessions, redisMemoryUsage],
};

export function createDatabaseAgent(deps: DatabaseDeps) {
  const readTimeoutMs = 3 * deps.timeoutMs + MARGIN_MS;
  return defineAgent({
    ...databaseAgent,
    deps,
    capabilities: [
      { ...findBlockingQueries, timeoutMs: readTimeoutMs },
      { ...endBlockingSessions, timeoutMs: MAX_GRACE_MS + EXIT_WAIT_MS + 4 * deps.timeoutMs + MARGIN_MS },
      { ...connectionUsage, timeoutMs: readTimeoutMs },
      { ...terminateIdleSessions, timeoutMs: readTimeoutMs },
      { ...redisMemoryUsage, timeoutMs: readTimeoutMs },
    ],
  });
}
