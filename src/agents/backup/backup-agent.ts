// The backup agent takes real backups (files, PostgreSQL, Redis), restores them after checking every checksum,
// lists them with their state on disk, and prunes old ones by count and age. The orchestrator's rollback uses it.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  BACKUP_TYPES,
  type BackupEngine,
  type BackupFiles,
  type BackupRecord,
  type BackupRepository,
  type BackupType,
} from '../../core/backup.ts';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

export interface BackupDeps {
  repository: BackupRepository;
  files: BackupFiles;
  engines: Record<BackupType, BackupEngine>;
  /** Backups kept per target and type; older ones beyond it are deleted after each new backup. */
  keep: number;
  /** Backups older than this are deleted (the newest of a target always stays). */
  maxAgeMs: number;
  now?: () => Date;
}

const createInput = z.strictObject({
  target: z
    .string()
    .min(1)
    .max(4096)
    .describe(
      'files: an absolute path under the backup roots; postgres/redis: a declared service name or a URL without a password',
    ),
  backup_type: z.enum(BACKUP_TYPES),
  device_id: z
    .string()
    .min(1)
    .max(128)
    .default('local')
    .describe('files only: the device whose file system holds the path'),
  pattern: z.string().min(1).max(256).optional().describe('redis only: the key pattern to snapshot (default *)'),
});

const backupView = z.object({
  backup_id: z.string(),
  backup_type: z.enum(BACKUP_TYPES),
  target: z.string(),
  device_id: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  created_at: z.string(),
  details: z.record(z.string(), z.unknown()),
});

function toView(record: BackupRecord): z.input<typeof backupView> {
  return {
    backup_id: record.id,
    backup_type: record.type,
    target: record.target,
    device_id: record.deviceId,
    path: record.path,
    size: record.sizeBytes,
    sha256: record.sha256,
    created_at: record.createdAt,
    details: record.details,
  };
}

export const createBackup = defineCapability<typeof createInput, typeof backupView, BackupDeps>({
  id: 'backup.create_backup',
  description:
    'Back up a directory or file (tar.gz with per-file sha256), a PostgreSQL database (pg_dump) or Redis keys (with TTLs)',
  // It reads the target and writes only under TwisterLab's own data directory: nothing on the target changes.
  risk: 'read',
  timeoutMs: 300_000,
  input: createInput,
  output: backupView,
  run: async (input, ctx) => {
    const { engines, files, repository } = ctx.deps;
    const engine = engines[input.backup_type];
    const resolved = await engine.resolve(
      { target: input.target, deviceId: input.device_id, ...(input.pattern ? { pattern: input.pattern } : {}) },
      ctx.signal,
    );
    const id = randomUUID();
    const file = files.pathFor(id, input.backup_type);
    let facts: Record<string, unknown>;
    try {
      facts = await engine.dump(resolved, file, ctx.signal);
    } catch (error) {
      await files.remove(file).catch(() => undefined);
      throw error;
    }
    const stored = await files.inspect(file);
    if (!stored) throw new TwisterError('BACKUP_FAILED', 'the backup file was not written');
    const record: BackupRecord = {
      id,
      type: input.backup_type,
      target: resolved.target,
      deviceId: resolved.deviceId,
      path: file,
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      details: { ...resolved.details, ...facts },
      ticketId: ctx.ticketId ?? null,
      createdAt: (ctx.deps.now?.() ?? new Date()).toISOString(),
    };
    await repository.insertBackup(record);
    ctx.logger.info({ backup: id, type: record.type, target: record.target, size: record.sizeBytes }, 'backup taken');
    await prune(ctx.deps, record, ctx.logger);
    return toView(record);
  },
});

/** Deletes the backups of the same target beyond the count or past the age; the newest always stays. */
async function prune(deps: BackupDeps, latest: BackupRecord, logger: Logger): Promise<void> {
  const siblings = await deps.repository.listBackups({ type: latest.type, target: latest.target, limit: 1000 });
  const now = (deps.now?.() ?? new Date()).getTime();
  const expired = siblings
    .filter((b) => b.id !== latest.id && b.deviceId === latest.deviceId)
    .filter((b, i) => i + 1 >= deps.keep || now - Date.parse(b.createdAt) > deps.maxAgeMs);
  for (const old of expired) {
    await deps.files
      .remove(old.path)
      .catch((err: unknown) => logger.warn({ err, backup: old.id }, 'could not delete an expired backup file'));
    await deps.repository.deleteBackup(old.id);
  }
}

const restoreInput = z.strictObject({ backup_id: z.string().min(1).max(64) });
const restoreOutput = z.object({
  backup_id: z.string(),
  backup_type: z.enum(BACKUP_TYPES),
  target: z.string(),
  device_id: z.string(),
  verified: z
    .boolean()
    .describe('the archive and every item in it matched their recorded sha256 before anything changed'),
  details: z.record(z.string(), z.unknown()),
});

export const restoreBackup = defineCapability<typeof restoreInput, typeof restoreOutput, BackupDeps>({
  id: 'backup.restore_backup',
  description:
    'Restore a backup exactly as it was saved, after verifying its checksums (files are swapped in atomically)',
  risk: 'change',
  // Restoring the same archive again leaves the same state: a restore cut off by a crash may simply run again.
  idempotent: true,
  timeoutMs: 300_000,
  input: restoreInput,
  output: restoreOutput,
  run: async (input, ctx) => {
    const record = await ctx.deps.repository.getBackup(input.backup_id);
    if (!record)
      throw new TwisterError('BACKUP_NOT_FOUND', `no backup ${input.backup_id}`, { backup_id: input.backup_id });
    const state = await checkArchive(ctx.deps, record);
    if (state !== 'ok')
      throw new TwisterError('BACKUP_CORRUPT', `backup ${record.id} is ${state}`, { backup_id: record.id, state });
    const details = await ctx.deps.engines[record.type].restore(record, record.path, ctx.signal);
    ctx.logger.info({ backup: record.id, type: record.type, target: record.target }, 'backup restored');
    return {
      backup_id: record.id,
      backup_type: record.type,
      target: record.target,
      device_id: record.deviceId,
      verified: true,
      details,
    };
  },
});

async function checkArchive(deps: BackupDeps, record: BackupRecord): Promise<'ok' | 'missing' | 'corrupt'> {
  const stored = await deps.files.inspect(record.path);
  if (!stored) return 'missing';
  return stored.sha256 === record.sha256 && stored.sizeBytes === record.sizeBytes ? 'ok' : 'corrupt';
}

const listInput = z.strictObject({
  backup_type: z.enum(BACKUP_TYPES).optional(),
  target: z.string().min(1).max(4096).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
const listOutput = z.object({
  backups: z.array(backupView.extend({ state: z.enum(['ok', 'missing', 'corrupt']) })),
});

export const listBackups = defineCapability<typeof listInput, typeof listOutput, BackupDeps>({
  id: 'backup.list_backups',
  description: 'List backups, newest first, each with its state on disk (ok, missing, corrupt)',
  risk: 'read',
  input: listInput,
  output: listOutput,
  run: async (input, ctx) => {
    const records = await ctx.deps.repository.listBackups({
      limit: input.limit,
      ...(input.backup_type ? { type: input.backup_type } : {}),
      ...(input.target ? { target: input.target } : {}),
    });
    const backups = [];
    for (const record of records) backups.push({ ...toView(record), state: await checkArchive(ctx.deps, record) });
    return { backups };
  },
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const backupAgent = {
  id: 'backup',
  description: 'Takes, lists and restores backups of files, PostgreSQL databases and Redis keys',
  capabilities: [createBackup, restoreBackup, listBackups],
};

export function createBackupAgent(deps: BackupDeps) {
  return defineAgent({ ...backupAgent, deps });
}
