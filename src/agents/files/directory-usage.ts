// files.directory_usage: how much a directory holds and its largest files, on this machine or an SSH device
// (SFTP), walked without following links and stopping at a cap; plus the space left on its file system.
import path from 'node:path';
import { z } from 'zod';
import { defineCapability } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import type { FileTree } from '../../core/file-tree.ts';
import { deviceIdInput } from '../device-input.ts';
import { DEFAULT_MAX_ENTRIES, rootedDirectory, type FilesDeps } from './files-deps.ts';
import { findMount } from './mounts.ts';

const usageInput = z.strictObject({
  device_id: deviceIdInput,
  path: z.string().min(1).max(4096).describe('An absolute directory under the backup roots (TWISTERLAB_BACKUP_ROOTS)'),
  top: z.number().int().min(1).max(100).default(10).describe('How many of the largest files to list'),
});

const usageOutput = z.object({
  path: z.string().describe('The directory, canonical (links in it resolved)'),
  bytes: z.number().int().nonnegative().describe('Sum of the apparent sizes of the regular files under it'),
  files: z.number().int().nonnegative(),
  directories: z.number().int().nonnegative(),
  truncated: z.boolean().describe('The walk stopped at its entry cap: figures cover only the part walked'),
  unreadable: z.array(z.string()).describe('Directories that could not be listed (at most 20 named)'),
  largest: z.array(z.object({ path: z.string(), bytes: z.number().int().nonnegative(), modified_at: z.string() })),
  filesystem: z.object({
    mount: z
      .string()
      .nullable()
      .describe('Mount point holding the directory; null when the device has no /proc/self/mountinfo'),
    size_bytes: z.number().nonnegative(),
    available_bytes: z.number().nonnegative(),
    use_percent: z.number().min(0).max(100).describe("Used / (used + available), rounded up, as df's Use%"),
  }),
});
type Usage = z.input<typeof usageOutput>;
type Largest = Usage['largest'][number];

const MAX_UNREADABLE_NAMED = 20;

/** Keeps the `top` largest, sorted largest first. */
function keepLargest(largest: Largest[], entry: Largest, top: number): void {
  if (largest.length === top && entry.bytes <= largest[top - 1]!.bytes) return;
  const at = largest.findIndex((l) => entry.bytes > l.bytes);
  largest.splice(at === -1 ? largest.length : at, 0, entry);
  if (largest.length > top) largest.pop();
}

async function walk(tree: FileTree, root: string, top: number, maxEntries: number, signal: AbortSignal) {
  const totals = { bytes: 0, files: 0, directories: 0, truncated: false, unreadable: [] as string[] };
  const largest: Largest[] = [];
  const pending = [root];
  let seen = 0;
  while (pending.length > 0 && !totals.truncated) {
    if (signal.aborted) throw new TwisterError('CAPABILITY_ABORTED', `walk of ${root} cancelled after ${seen} entries`);
    const dir = pending.pop()!;
    const entries = await tree.list(dir).catch(() => undefined);
    if (!entries) {
      if (totals.unreadable.length < MAX_UNREADABLE_NAMED) totals.unreadable.push(dir);
      continue;
    }
    for (const entry of entries) {
      if (seen >= maxEntries) {
        totals.truncated = true;
        break;
      }
      seen += 1;
      const full = path.posix.join(dir, entry.path);
      if (entry.kind === 'dir') {
        totals.directories += 1;
        pending.push(full);
      } else if (entry.kind === 'file') {
        totals.files += 1;
        totals.bytes += entry.size;
        keepLargest(
          largest,
          { path: full, bytes: entry.size, modified_at: new Date(entry.mtimeMs).toISOString() },
          top,
        );
      }
    }
  }
  return { ...totals, largest };
}

async function filesystem(tree: FileTree, dir: string, signal: AbortSignal): Promise<Usage['filesystem']> {
  const space = await tree.statfs(dir);
  const used = Math.max(0, space.sizeBytes - space.freeBytes);
  const usePercent = used + space.availableBytes === 0 ? 0 : Math.ceil((used / (used + space.availableBytes)) * 100);
  return {
    mount: (await findMount(tree, dir, signal)) ?? null,
    size_bytes: space.sizeBytes,
    available_bytes: space.availableBytes,
    use_percent: Math.min(100, usePercent),
  };
}

export const directoryUsage = defineCapability<typeof usageInput, typeof usageOutput, FilesDeps>({
  id: 'files.directory_usage',
  description:
    'Bytes and files under a directory, its largest files and the space left on its file system (local or over SFTP); links are not followed',
  risk: 'read',
  timeoutMs: 120_000,
  input: usageInput,
  output: usageOutput,
  run: async (input, ctx) =>
    ctx.deps.trees.withTree(input.device_id, ctx.signal, async (tree) => {
      const dir = await rootedDirectory(tree, input.path, ctx.deps.roots);
      const walked = await walk(tree, dir, input.top, ctx.deps.maxEntries ?? DEFAULT_MAX_ENTRIES, ctx.signal);
      ctx.logger.info(
        { device: input.device_id, path: dir, files: walked.files, truncated: walked.truncated },
        'directory usage measured',
      );
      return {
        path: dir,
        bytes: walked.bytes,
        files: walked.files,
        directories: walked.directories,
        truncated: walked.truncated,
        unreadable: walked.unreadable,
        largest: walked.largest,
        filesystem: await filesystem(tree, dir, ctx.signal),
      };
    }),
});
