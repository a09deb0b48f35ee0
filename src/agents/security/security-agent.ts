// The security agent: failed logins from a device's auth log (local or over SFTP), read from its end and
// returned as counts by source address and user name — never the log lines themselves.
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import type { FileTrees } from '../../core/file-tree.ts';
import { canonicalisePath } from '../../core/path-guard.ts';
import { deviceIdInput } from '../device-input.ts';
import { MAX_LISTED, summariseFailedLogins } from './auth-log.ts';
import { readLastLines } from './log-tail.ts';

export interface SecurityDeps {
  trees: FileTrees;
  /** Canonical directories whose logs may be read: /var/log and the backup roots. */
  logRoots: readonly string[];
}

const MAX_TAIL_BYTES = 64 * 1024 * 1024;

const failedLoginsInput = z.strictObject({
  device_id: deviceIdInput,
  log_path: z
    .string()
    .min(1)
    .max(4096)
    .default('/var/log/auth.log')
    .describe('An auth log under /var/log or a backup root'),
  max_lines: z.number().int().min(1).max(100_000).default(5_000).describe('Lines read from the end of the log'),
});

const failedLoginsOutput = z.object({
  log_path: z.string(),
  failed_count: z.number().int().nonnegative(),
  sources: z
    .array(z.object({ ip: z.string(), count: z.number().int().positive(), users: z.array(z.string()) }))
    .describe(`Most failures first, at most ${MAX_LISTED}`),
  users: z
    .array(z.object({ user: z.string(), count: z.number().int().positive() }))
    .describe(`Most failures first, at most ${MAX_LISTED}`),
  distinct_sources: z.number().int().nonnegative(),
  distinct_users: z.number().int().nonnegative(),
  first_seen: z.string().optional().describe('Timestamp of the first failure read, as the log wrote it'),
  last_seen: z.string().optional(),
  lines_read: z.number().int().nonnegative(),
});

export const failedLogins = defineCapability<typeof failedLoginsInput, typeof failedLoginsOutput, SecurityDeps>({
  id: 'security.failed_logins',
  description:
    'Failed SSH and PAM logins in the tail of an auth log (local or over SFTP): counts by source address and user, no raw lines',
  risk: 'read',
  timeoutMs: 60_000,
  input: failedLoginsInput,
  output: failedLoginsOutput,
  run: async (input, ctx) =>
    ctx.deps.trees.withTree(input.device_id, ctx.signal, async (tree) => {
      const logPath = await canonicalisePath(input.log_path, ctx.deps.logRoots, (p) => tree.realpath(p));
      const file = await tree.open(logPath, 'read');
      let lines: string[];
      try {
        lines = await readLastLines(file, input.max_lines, MAX_TAIL_BYTES, ctx.signal);
      } finally {
        await file.close();
      }
      const summary = summariseFailedLogins(lines);
      ctx.logger.info(
        { device: input.device_id, log: logPath, failed: summary.failed_count, lines: summary.lines_read },
        'auth log read',
      );
      return { log_path: logPath, ...summary };
    }),
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const securityAgent = {
  id: 'security',
  description: 'Reads security signals of a device: failed logins from its auth log',
  capabilities: [failedLogins],
};

export function createSecurityAgent(deps: SecurityDeps) {
  return defineAgent({ ...securityAgent, deps });
}
