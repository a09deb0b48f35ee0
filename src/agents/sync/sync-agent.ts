// The sync agent makes a destination directory match a source directory, locally or on SSH devices over SFTP:
// only files whose sha256 differs move, each written to a temp file and renamed into place, deletions only on
// request. A dry run reports the same plan and changes nothing.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import { TEMP_MARKER, type FileTree, type FileTrees, type TreeEntry } from '../../core/file-tree.ts';
import { canonicalisePath, checkPathSyntax } from '../../core/path-guard.ts';

export interface SyncDeps {
  trees: FileTrees;
  /** Canonical roots every source and destination must lie under (TWISTERLAB_BACKUP_ROOTS). */
  roots: readonly string[];
}

const syncInput = z.strictObject({
  source: z.string().min(1).max(4096).describe('An absolute directory under the backup roots'),
  destination: z
    .string()
    .min(1)
    .max(4096)
    .describe('An absolute directory under the backup roots (created when missing)'),
  source_device: z.string().min(1).max(128).default('local'),
  destination_device: z.string().min(1).max(128).default('local'),
  dry_run: z.boolean().default(false).describe('List what would change; change nothing'),
  delete: z.boolean().default(false).describe('Delete destination files the source does not have'),
});

const syncOutput = z.object({
  dry_run: z.boolean(),
  source: z.string(),
  destination: z.string(),
  copied: z.array(
    z.object({ path: z.string(), bytes: z.number().int().nonnegative(), reason: z.enum(['new', 'changed']) }),
  ),
  deleted: z.array(z.string()),
  /** Destination files absent from the source, left alone because `delete` was not asked for. */
  extraneous: z.array(z.string()),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  files_copied: z.number().int(),
  bytes_copied: z.number().int(),
  files_unchanged: z.number().int(),
  files_deleted: z.number().int(),
});
type SyncReport = z.input<typeof syncOutput>;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const isTemp = (entry: TreeEntry) => path.posix.basename(entry.path).includes(TEMP_MARKER);

/** A destination entry on the way to `rel` that is not a directory (a link, above all): the copy would go through it. */
function blockedBy(rel: string, existing: ReadonlyMap<string, TreeEntry>): TreeEntry | undefined {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i += 1) {
    const there = existing.get(parts.slice(0, i).join('/'));
    if (there && there.kind !== 'dir') return there;
  }
  return undefined;
}

async function resolveDestination(tree: FileTree, destination: string, roots: readonly string[]): Promise<string> {
  const normal = checkPathSyntax(destination);
  if (await tree.lstat(normal)) return canonicalisePath(normal, roots, (p) => tree.realpath(p));
  // A new destination: its parent must already be under a root.
  const parent = await canonicalisePath(path.posix.dirname(normal), roots, (p) => tree.realpath(p));
  return path.posix.join(parent, path.posix.basename(normal));
}

interface Sides {
  src: FileTree;
  dst: FileTree;
  source: string;
  destination: string;
}

async function plan(sides: Sides, input: z.output<typeof syncInput>, signal: AbortSignal) {
  const sourceStat = await sides.src.lstat(sides.source);
  if (sourceStat?.kind !== 'dir')
    throw new TwisterError('VALIDATION_FAILED', `source ${sides.source} is not a directory`, { source: sides.source });
  const destStat = await sides.dst.lstat(sides.destination);
  if (destStat && destStat.kind !== 'dir')
    throw new TwisterError('VALIDATION_FAILED', `destination ${sides.destination} is not a directory`);
  const srcEntries = (await sides.src.walk(sides.source)).filter((e) => !isTemp(e));
  const dstEntries = destStat ? (await sides.dst.walk(sides.destination)).filter((e) => !isTemp(e)) : [];
  const existing = new Map(dstEntries.map((e) => [e.path, e]));
  const copies: Array<{ entry: TreeEntry; reason: 'new' | 'changed' }> = [];
  const skipped: SyncReport['skipped'] = [];
  let unchanged = 0;
  for (const entry of srcEntries) {
    if (signal.aborted) throw new TwisterError('CAPABILITY_ABORTED', 'sync cancelled while comparing');
    if (entry.kind === 'dir') continue;
    if (entry.kind !== 'file') {
      skipped.push({ path: entry.path, reason: `${entry.kind}: not copied` });
      continue;
    }
    const blocker = blockedBy(entry.path, existing);
    if (blocker) {
      skipped.push({
        path: entry.path,
        reason: `destination holds a ${blocker.kind} at ${blocker.path}: never written through`,
      });
      continue;
    }
    const there = existing.get(entry.path);
    if (!there) {
      copies.push({ entry, reason: 'new' });
      continue;
    }
    if (there.kind !== 'file') {
      skipped.push({ path: entry.path, reason: `destination holds a ${there.kind}` });
      continue;
    }
    const same =
      there.size === entry.size &&
      sha256(await sides.src.read(path.posix.join(sides.source, entry.path))) ===
        sha256(await sides.dst.read(path.posix.join(sides.destination, entry.path)));
    if (same) unchanged += 1;
    else copies.push({ entry, reason: 'changed' });
  }
  const wanted = new Set(srcEntries.map((e) => e.path));
  // Deepest first, so a directory is empty by the time its turn comes.
  const extra = dstEntries
    .filter((e) => !wanted.has(e.path))
    .map((e) => e.path)
    .sort((a, b) => b.length - a.length);
  return { copies, skipped, unchanged, extra, destExists: destStat !== undefined };
}

async function apply(
  sides: Sides,
  planned: Awaited<ReturnType<typeof plan>>,
  input: z.output<typeof syncInput>,
  signal: AbortSignal,
): Promise<SyncReport> {
  const copied: SyncReport['copied'] = [];
  const deleted: string[] = [];
  // Every write and deletion goes through the destination itself: none can leave it, whatever links it holds.
  const out = sides.dst.under(sides.destination);
  if (!input.dry_run && !planned.destExists) {
    await sides.dst.under(path.posix.dirname(sides.destination)).mkdir(path.posix.basename(sides.destination), 0o755);
  }
  for (const { entry, reason } of planned.copies) {
    if (signal.aborted)
      throw new TwisterError('CAPABILITY_ABORTED', `sync cancelled after ${copied.length} file(s)`, {
        copied: copied.map((c) => c.path),
      });
    if (!input.dry_run) {
      const data = await sides.src.read(path.posix.join(sides.source, entry.path));
      await out.writeAtomic(entry.path, data, entry.mode, signal);
    }
    copied.push({ path: entry.path, bytes: entry.size, reason });
  }
  if (input.delete) {
    for (const rel of planned.extra) {
      if (!input.dry_run) await out.remove(rel);
      deleted.push(rel);
    }
  }
  return {
    dry_run: input.dry_run,
    source: sides.source,
    destination: sides.destination,
    copied,
    deleted,
    extraneous: input.delete ? [] : planned.extra,
    skipped: planned.skipped,
    files_copied: copied.length,
    bytes_copied: copied.reduce((sum, c) => sum + c.bytes, 0),
    files_unchanged: planned.unchanged,
    files_deleted: deleted.length,
  };
}

export const syncData = defineCapability<typeof syncInput, typeof syncOutput, SyncDeps>({
  id: 'sync.sync_data',
  description:
    'Make a destination directory match a source (local or over SFTP): checksum-based, atomic writes, dry run, deletions only on request',
  risk: 'destructive',
  // Listing is a read; copying over files is a change; deleting what the source lacks is destructive.
  assessRisk: (input) => (input.dry_run ? 'read' : input.delete ? 'destructive' : 'change'),
  // A second run makes the destination match the same source: it copies (or deletes) nothing more.
  idempotent: true,
  timeoutMs: 300_000,
  input: syncInput,
  output: syncOutput,
  run: async (input, ctx) => {
    const { trees, roots } = ctx.deps;
    return trees.withTree(input.source_device, ctx.signal, async (src) => {
      const withDst = <T>(use: (dst: FileTree) => Promise<T>) =>
        input.destination_device === input.source_device
          ? use(src)
          : trees.withTree(input.destination_device, ctx.signal, use);
      return withDst(async (dst) => {
        const source = await canonicalisePath(input.source, roots, (p) => src.realpath(p));
        const destination = await resolveDestination(dst, input.destination, roots);
        const sides = { src, dst, source, destination };
        const report = await apply(sides, await plan(sides, input, ctx.signal), input, ctx.signal);
        ctx.logger.info(
          { source, destination, copied: report.files_copied, deleted: report.files_deleted, dryRun: input.dry_run },
          'sync done',
        );
        return report;
      });
    });
  },
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const syncAgent = {
  id: 'sync',
  description: 'Synchronises directories, locally or with SSH devices over SFTP',
  capabilities: [syncData],
};

export function createSyncAgent(deps: SyncDeps) {
  return defineAgent({ ...syncAgent, deps });
}
