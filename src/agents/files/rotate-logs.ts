// files.rotate_logs: copy-truncate rotation, as logrotate's copytruncate + compress, on this machine or an SSH
// device (SFTP). Each matching file is gzipped into `<name>.1.gz` (older archives shift up, those beyond `keep`
// go), then truncated in place, so a writer holding it open (O_APPEND) keeps writing to the same file.
// Lines written between the end of the copy and the truncation are lost, as with logrotate's copytruncate.
// On a full disk (gzip fails with ENOSPC/EDQUOT) the archive goes to `archive_dir` when given and it has room,
// else the file is truncated or left per `on_full_disk`; every file's outcome is reported, measured after.
import path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import { isTwisterError, TwisterError } from '../../core/errors.ts';
import { TEMP_MARKER, type FileTree, type OpenFile, type TreeEntry } from '../../core/file-tree.ts';
import { deviceIdInput } from '../device-input.ts';
import { rootedDirectory, type FilesDeps } from './files-deps.ts';
import { globProblem, globToRegExp, matchesGlob } from './glob.ts';

const MIB = 1024 * 1024;
const ARCHIVE = /\.([1-9][0-9]{0,2})\.gz$/;

const rotateInput = z.strictObject({
  device_id: deviceIdInput,
  path: z
    .string()
    .min(1)
    .max(4096)
    .describe('An absolute directory under the backup roots; its files are rotated, not those of subdirectories'),
  pattern: z
    .string()
    .default('*.log')
    .superRefine((glob, issue) => {
      const problem = globProblem(glob);
      if (problem) issue.addIssue({ code: 'custom', message: problem });
    })
    .describe('Glob on file names (`*`, `?`, `[...]`)'),
  min_bytes: z.number().int().nonnegative().default(MIB).describe('Files smaller than this are left alone'),
  keep: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe('Archives kept per file: <name>.1.gz (newest) to <name>.<keep>.gz'),
  archive_dir: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'A directory under the backup roots, on another file system, to compress into when the log directory has no room',
    ),
  on_full_disk: z
    .enum(['skip', 'truncate'])
    .default('skip')
    .describe(
      'When a file cannot be compressed for lack of space (and archive_dir cannot take it): skip (report it) or truncate (its content is lost)',
    ),
});

const fileOutcome = z.object({
  path: z.string(),
  bytes_before: z.number().int().nonnegative(),
  bytes_after: z.number().int().nonnegative().describe('Measured after the action (a writer may have appended since)'),
  action: z.enum(['rotated', 'truncated', 'skipped']),
  reason: z.string().optional(),
});

const rotateOutput = z.object({
  path: z.string(),
  rotated: z.array(
    z.object({
      file: z.string(),
      bytes_before: z.number().int().nonnegative(),
      archive: z.string(),
      archive_bytes: z.number().int().nonnegative(),
    }),
  ),
  removed: z.array(z.string()).describe('Archives deleted because they were beyond `keep`'),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })).describe('Matching entries left alone, and why'),
  freed_bytes: z
    .number()
    .int()
    .describe('Bytes truncated, less the new archives written beside them, plus the archives removed beside them'),
  files: z.array(fileOutcome).describe('What happened to each matching file'),
  largest: z
    .object({
      path: z.string(),
      bytes_before: z.number().int().nonnegative(),
      bytes_after: z.number().int().nonnegative(),
    })
    .nullable()
    .describe(
      'The largest regular file of the directory (archives aside, matching or not), before and after: did the culprit shrink?',
    ),
  skipped_count: z.number().int().nonnegative().describe('Files left as they were (their reason in `files`)'),
});
type Report = z.input<typeof rotateOutput>;

interface Archive {
  n: number;
  entry: TreeEntry;
}

/** The existing `<name>.N.gz` of each file name in the directory. */
function archivesOf(name: string, entries: readonly TreeEntry[]): Archive[] {
  return entries.flatMap((entry) => {
    if (!entry.path.startsWith(`${name}.`)) return [];
    const match = ARCHIVE.exec(entry.path);
    return match && entry.path === `${name}.${match[1]}.gz` ? [{ n: Number(match[1]), entry }] : [];
  });
}

/** The file's content, gzipped, as it is read to the end; `copied` counts the bytes read. */
function gzipped(file: OpenFile, signal: AbortSignal, copied: { bytes: number }): AsyncIterable<Buffer> {
  const counted = async function* () {
    for await (const chunk of file.chunks(0, signal)) {
      copied.bytes += chunk.length;
      yield chunk;
    }
  };
  return pipeline(Readable.from(counted()), createGzip(), () => undefined);
}

interface Rotation {
  dir: string;
  entry: TreeEntry;
  archiveDir: string;
  archives: Archive[];
  keep: number;
}

/** Archive first (nothing changes if that fails), then shift and drop old archives, then truncate. */
async function rotateOne(tree: FileTree, r: Rotation, report: Report, signal: AbortSignal): Promise<void> {
  // Every change goes through the log directory or the archive directory itself: none can land outside them.
  const logs = tree.under(r.dir);
  const store = tree.under(r.archiveDir);
  const live = path.posix.join(r.dir, r.entry.path);
  const archive = (n: number) => `${r.entry.path}.${n}.gz`;
  const shown = (n: number) => path.posix.join(r.archiveDir, archive(n));
  const file = await logs.open(r.entry.path);
  try {
    const copied = { bytes: 0 };
    const temp = await store.writeTemp(archive(1), gzipped(file, signal, copied), r.entry.mode, signal);
    let freed = 0;
    try {
      signal.throwIfAborted();
      for (const old of [...r.archives].sort((a, b) => b.n - a.n)) {
        if (old.n >= r.keep) {
          await store.remove(archive(old.n));
          report.removed.push(shown(old.n));
          freed += old.entry.size;
        } else {
          await store.rename(archive(old.n), archive(old.n + 1));
        }
      }
      await store.rename(temp.path, archive(1));
    } catch (error) {
      await store.remove(temp.path).catch(() => undefined);
      throw error;
    }
    await file.truncate(0);
    report.rotated.push({ file: live, bytes_before: copied.bytes, archive: shown(1), archive_bytes: temp.bytes });
    // Archives written or removed in another directory (archive_dir) take nothing from, or give nothing to, this one.
    report.freed_bytes += copied.bytes + (r.archiveDir === r.dir ? freed - temp.bytes : 0);
  } finally {
    await file.close().catch(() => undefined);
  }
}

/**
 * Why a write into `dir` failed for lack of space, or undefined when it did not. Locally the errno says so; an
 * SFTP server answers a full disk with a bare "Failure", so there the free space is asked: less than the file.
 */
async function noSpaceCause(tree: FileTree, dir: string, size: number, error: unknown): Promise<string | undefined> {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return code;
  const message = (error as Error | undefined)?.message ?? '';
  if (/no space left|quota exceeded/i.test(message)) return message.slice(0, 120);
  if (isTwisterError(error)) return undefined;
  const free = await tree.statfs(dir).then(
    (s) => s.availableBytes,
    () => undefined,
  );
  return free !== undefined && free < size ? `"${message.slice(0, 120)}" with ${free} bytes free` : undefined;
}

function failureText(error: unknown): string {
  return isTwisterError(error) ? error.message : `failed: ${(error as Error).message}`;
}

interface FileJob {
  dir: string;
  entry: TreeEntry;
  entries: readonly TreeEntry[];
  archiveDir: string | undefined;
}
type Settings = Pick<z.output<typeof rotateInput>, 'keep' | 'on_full_disk'>;
type Action = Report['files'][number]['action'];

/** Truncates in place, no archive: the policy's answer to a full disk. */
async function truncateInPlace(tree: FileTree, dir: string, name: string, report: Report): Promise<void> {
  const file = await tree.under(dir).open(name);
  try {
    const { size } = await file.stat();
    await file.truncate(0);
    report.freed_bytes += size;
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** The disk is full: compress into archive_dir if it can take it, else truncate or skip as the policy says. */
async function onFullDisk(
  tree: FileTree,
  job: FileJob,
  cause: string,
  settings: Settings,
  report: Report,
  signal: AbortSignal,
): Promise<{ action: Action; reason: string }> {
  const why = `no space left to compress it in ${job.dir} (${cause})`;
  let archiveNote = '';
  if (job.archiveDir) {
    const archives = archivesOf(job.entry.path, await tree.list(job.archiveDir));
    try {
      if (archives.some((a) => a.entry.kind !== 'file'))
        throw new TwisterError(
          'VALIDATION_FAILED',
          `an archive of ${job.entry.path} in ${job.archiveDir} is not a regular file`,
        );
      await rotateOne(
        tree,
        { dir: job.dir, entry: job.entry, archiveDir: job.archiveDir, archives, keep: settings.keep },
        report,
        signal,
      );
      return { action: 'rotated', reason: `${why}: compressed to ${job.archiveDir} instead` };
    } catch (error) {
      if (signal.aborted) throw error;
      const full = await noSpaceCause(tree, job.archiveDir, job.entry.size, error);
      archiveNote = full
        ? `; ${job.archiveDir} has no room either (${full})`
        : `; compressing to ${job.archiveDir} ${failureText(error)}`;
    }
  }
  if (settings.on_full_disk === 'truncate') {
    await truncateInPlace(tree, job.dir, job.entry.path, report);
    return {
      action: 'truncated',
      reason: `${why}${archiveNote}: truncated without an archive (on_full_disk: truncate), its content is lost`,
    };
  }
  return { action: 'skipped', reason: `${why}${archiveNote}: left as it was (on_full_disk: skip)` };
}

/** Rotates one file and says what happened to it; only a cancellation throws. */
async function handleFile(
  tree: FileTree,
  job: FileJob,
  settings: Settings,
  report: Report,
  signal: AbortSignal,
): Promise<{ action: Action; reason?: string }> {
  const archives = archivesOf(job.entry.path, job.entries);
  const odd = archives.find((a) => a.entry.kind !== 'file');
  if (odd)
    return { action: 'skipped', reason: `${odd.entry.path} is a ${odd.entry.kind}: archives must be regular files` };
  try {
    await rotateOne(
      tree,
      { dir: job.dir, entry: job.entry, archiveDir: job.dir, archives, keep: settings.keep },
      report,
      signal,
    );
    return { action: 'rotated' };
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = await noSpaceCause(tree, job.dir, job.entry.size, error);
    if (!cause) return { action: 'skipped', reason: failureText(error) };
    return await onFullDisk(tree, job, cause, settings, report, signal).catch((failure: unknown) => {
      if (signal.aborted) throw failure;
      return { action: 'skipped' as const, reason: failureText(failure) };
    });
  }
}

/** Matching entries: regular files of at least min_bytes are rotated; links and other kinds are reported and left. */
function candidates(
  entries: readonly TreeEntry[],
  input: z.output<typeof rotateInput>,
  report: Report,
  dir: string,
): TreeEntry[] {
  const glob = globToRegExp(input.pattern);
  const out: TreeEntry[] = [];
  for (const entry of entries) {
    if (entry.path.includes(TEMP_MARKER) || ARCHIVE.test(entry.path) || !matchesGlob(entry.path, glob, input.pattern))
      continue;
    const file = path.posix.join(dir, entry.path);
    if (entry.kind !== 'file') {
      const reason =
        entry.kind === 'symlink' ? 'a symbolic link: never followed' : `a ${entry.kind}, not a regular file`;
      report.skipped.push({ file, reason });
      report.files.push({ path: file, bytes_before: entry.size, bytes_after: entry.size, action: 'skipped', reason });
    } else if (entry.size >= input.min_bytes) out.push(entry);
  }
  return out;
}

/** The largest regular file directly in the directory, our archives and temp files aside. */
function largestOf(entries: readonly TreeEntry[]): TreeEntry | undefined {
  return entries
    .filter((e) => e.kind === 'file' && !ARCHIVE.test(e.path) && !e.path.includes(TEMP_MARKER))
    .reduce<TreeEntry | undefined>((max, e) => (!max || e.size > max.size ? e : max), undefined);
}

const sizeNow = async (tree: FileTree, file: string) => (await tree.lstat(file))?.size ?? 0;

export const rotateLogs = defineCapability<typeof rotateInput, typeof rotateOutput, FilesDeps>({
  id: 'files.rotate_logs',
  description:
    'Copy-truncate rotation of the log files of one directory (local or over SFTP): gzip to <name>.1.gz, shift older archives, keep N, truncate the live file; on a full disk compress to archive_dir, or truncate / skip per on_full_disk, each file reported',
  risk: 'change',
  timeoutMs: 300_000,
  input: rotateInput,
  output: rotateOutput,
  run: async (input, ctx) =>
    ctx.deps.trees.withTree(input.device_id, ctx.signal, async (tree) => {
      const dir = await rootedDirectory(tree, input.path, ctx.deps.roots);
      const archiveDir =
        input.archive_dir === undefined ? undefined : await rootedDirectory(tree, input.archive_dir, ctx.deps.roots);
      if (archiveDir === dir)
        throw new TwisterError(
          'VALIDATION_FAILED',
          'archive_dir is the log directory itself: name a directory on another file system',
          { path: dir },
        );
      const report: Report = {
        path: dir,
        rotated: [],
        removed: [],
        skipped: [],
        freed_bytes: 0,
        files: [],
        largest: null,
        skipped_count: 0,
      };
      const entries = await tree.list(dir);
      for (const entry of candidates(entries, input, report, dir)) {
        const file = path.posix.join(dir, entry.path);
        let outcome: { action: Action; reason?: string };
        try {
          outcome = await handleFile(tree, { dir, entry, entries, archiveDir }, input, report, ctx.signal);
        } catch (error) {
          if (ctx.signal.aborted)
            throw new TwisterError('CAPABILITY_ABORTED', `rotation cancelled after ${report.rotated.length} file(s)`, {
              rotated: report.rotated.map((r) => r.file),
            });
          throw error;
        }
        if (outcome.action === 'skipped') report.skipped.push({ file, reason: outcome.reason ?? 'skipped' });
        report.files.push({ path: file, bytes_before: entry.size, bytes_after: await sizeNow(tree, file), ...outcome });
      }
      const largest = largestOf(entries);
      if (largest) {
        const file = path.posix.join(dir, largest.path);
        report.largest = { path: file, bytes_before: largest.size, bytes_after: await sizeNow(tree, file) };
      }
      report.skipped_count = report.files.filter((f) => f.action === 'skipped').length;
      ctx.logger.info(
        {
          device: input.device_id,
          path: dir,
          rotated: report.rotated.length,
          skipped: report.skipped_count,
          freed: report.freed_bytes,
        },
        'logs rotated',
      );
      return report;
    }),
});
