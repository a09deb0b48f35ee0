// files.rotate_logs: copy-truncate rotation, as logrotate's copytruncate + compress, on this machine or an SSH
// device (SFTP). Each matching file is gzipped into `<name>.1.gz` (older archives shift up, those beyond `keep`
// go), then truncated in place, so a writer holding it open (O_APPEND) keeps writing to the same file.
// Lines written between the end of the copy and the truncation are lost, as with logrotate's copytruncate.
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
  path: z.string().min(1).max(4096).describe('An absolute directory under the backup roots; its files are rotated, not those of subdirectories'),
  pattern: z.string().default('*.log').superRefine((glob, issue) => {
    const problem = globProblem(glob);
    if (problem) issue.addIssue({ code: 'custom', message: problem });
  }).describe('Glob on file names (`*`, `?`, `[...]`)'),
  min_bytes: z.number().int().nonnegative().default(MIB).describe('Files smaller than this are left alone'),
  keep: z.number().int().min(1).max(50).default(5).describe('Archives kept per file: <name>.1.gz (newest) to <name>.<keep>.gz'),
});

const rotateOutput = z.object({
  path: z.string(),
  rotated: z.array(z.object({
    file: z.string(), bytes_before: z.number().int().nonnegative(), archive: z.string(), archive_bytes: z.number().int().nonnegative(),
  })),
  removed: z.array(z.string()).describe('Archives deleted because they were beyond `keep`'),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })).describe('Matching entries left alone, and why'),
  freed_bytes: z.number().int().describe('Bytes truncated, less the new archives, plus the archives removed'),
});
type Report = z.input<typeof rotateOutput>;

interface Archive { n: number; entry: TreeEntry }

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

interface Rotation { dir: string; entry: TreeEntry; archives: Archive[]; keep: number }

/** Archive first (nothing changes if that fails), then shift and drop old archives, then truncate. */
async function rotateOne(tree: FileTree, r: Rotation, report: Report, signal: AbortSignal): Promise<void> {
  const live = path.posix.join(r.dir, r.entry.path);
  const archive = (n: number) => path.posix.join(r.dir, `${r.entry.path}.${n}.gz`);
  const file = await tree.open(live, 'write');
  try {
    const copied = { bytes: 0 };
    const temp = await tree.writeTemp(archive(1), gzipped(file, signal, copied), r.entry.mode, signal);
    let freed = 0;
    try {
      signal.throwIfAborted();
      for (const old of [...r.archives].sort((a, b) => b.n - a.n)) {
        if (old.n >= r.keep) {
          await tree.remove(archive(old.n));
          report.removed.push(archive(old.n));
          freed += old.entry.size;
        } else {
          await tree.rename(archive(old.n), archive(old.n + 1));
        }
      }
      await tree.rename(temp.path, archive(1));
    } catch (error) {
      await tree.remove(temp.path).catch(() => undefined);
      throw error;
    }
    await file.truncate(0);
    report.rotated.push({ file: live, bytes_before: copied.bytes, archive: archive(1), archive_bytes: temp.bytes });
    report.freed_bytes += copied.bytes - temp.bytes + freed;
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** Matching entries: regular files of at least min_bytes are rotated; links and other kinds are reported and left. */
function candidates(entries: readonly TreeEntry[], input: z.output<typeof rotateInput>, report: Report, dir: string): TreeEntry[] {
  const glob = globToRegExp(input.pattern);
  const out: TreeEntry[] = [];
  for (const entry of entries) {
    if (entry.path.includes(TEMP_MARKER) || ARCHIVE.test(entry.path) || !matchesGlob(entry.path, glob, input.pattern)) continue;
    const file = path.posix.join(dir, entry.path);
    if (entry.kind !== 'file') report.skipped.push({ file, reason: entry.kind === 'symlink' ? 'a symbolic link: never followed' : `a ${entry.kind}, not a regular file` });
    else if (entry.size >= input.min_bytes) out.push(entry);
  }
  return out;
}

export const rotateLogs = defineCapability<typeof rotateInput, typeof rotateOutput, FilesDeps>({
  id: 'files.rotate_logs',
  description: 'Copy-truncate rotation of the log files of one directory (local or over SFTP): gzip to <name>.1.gz, shift older archives, keep N, truncate the live file',
  risk: 'change',
  timeoutMs: 300_000,
  input: rotateInput,
  output: rotateOutput,
  run: async (input, ctx) => ctx.deps.trees.withTree(input.device_id, ctx.signal, async (tree) => {
    const dir = await rootedDirectory(tree, input.path, ctx.deps.roots);
    const report: Report = { path: dir, rotated: [], removed: [], skipped: [], freed_bytes: 0 };
    const entries = await tree.list(dir);
    for (const entry of candidates(entries, input, report, dir)) {
      const archives = archivesOf(entry.path, entries);
      const odd = archives.find((a) => a.entry.kind !== 'file');
      if (odd) {
        report.skipped.push({ file: path.posix.join(dir, entry.path), reason: `${odd.entry.path} is a ${odd.entry.kind}: archives must be regular files` });
        continue;
      }
      try {
        await rotateOne(tree, { dir, entry, archives, keep: input.keep }, report, ctx.signal);
      } catch (error) {
        if (ctx.signal.aborted) throw new TwisterError('CAPABILITY_ABORTED', `rotation cancelled after ${report.rotated.length} file(s)`, { rotated: report.rotated.map((r) => r.file) });
        const reason = isTwisterError(error) ? error.message : `failed: ${(error as Error).message}`;
        report.skipped.push({ file: path.posix.join(dir, entry.path), reason });
      }
    }
    ctx.logger.info({ device: input.device_id, path: dir, rotated: report.rotated.length, freed: report.freed_bytes }, 'logs rotated');
    return report;
  }),
});
