// File backups: a directory or file, local or on an SSH device (SFTP), archived as tar.gz with a manifest of
// per-file sha256, mode and size. Restore checks every checksum first, then swaps files in atomically and
// removes files that appeared since, so the tree is exactly what was saved.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { BackupEngine, BackupRecord } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import type { FileTree, FileTrees } from '../../core/file-tree.ts';
import { canonicalisePath, isSafeRelative } from '../../core/path-guard.ts';
import { readTar, writeTar, type TarEntry } from './tar.ts';
import { writeArchive } from './backup-files.ts';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
const MANIFEST = 'manifest.json';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface ManifestEntry { path: string; kind: 'file' | 'dir'; mode: number; size: number; sha256?: string }
interface Manifest { version: 1; kind: 'file' | 'dir'; root: string; entries: ManifestEntry[]; skipped: string[] }

async function collect(tree: FileTree, root: string, kind: 'file' | 'dir', signal: AbortSignal): Promise<{ manifest: Manifest; tar: TarEntry[] }> {
  const manifest: Manifest = { version: 1, kind, root, entries: [], skipped: [] };
  const tar: TarEntry[] = [];
  const walked = kind === 'dir' ? await tree.walk(root) : [{ path: path.posix.basename(root), ...(await tree.lstat(root))! }];
  for (const entry of walked) {
    signal.throwIfAborted();
    if (entry.kind === 'dir') {
      manifest.entries.push({ path: entry.path, kind: 'dir', mode: entry.mode, size: 0 });
      tar.push({ name: `data/${entry.path}`, kind: 'dir', mode: entry.mode, data: Buffer.alloc(0) });
    } else if (entry.kind === 'file') {
      const data = await tree.read(kind === 'dir' ? `${root}/${entry.path}` : root);
      manifest.entries.push({ path: entry.path, kind: 'file', mode: entry.mode, size: data.length, sha256: sha256(data) });
      tar.push({ name: `data/${entry.path}`, kind: 'file', mode: entry.mode, data });
    } else {
      // Links are not followed: one could lead out of the roots, and restoring it could redirect later writes.
      manifest.skipped.push(`${entry.path} (${entry.kind})`);
    }
  }
  return { manifest, tar };
}

/** Reads and checks the archive; any mismatch is BACKUP_CORRUPT before a single file is touched. */
async function unpack(file: string): Promise<{ manifest: Manifest; contents: Map<string, Buffer> }> {
  let entries: TarEntry[];
  try {
    entries = readTar(await gunzip(await fs.readFile(file)));
  } catch (error) {
    throw new TwisterError('BACKUP_CORRUPT', `backup archive ${path.basename(file)} cannot be read`, undefined, { cause: error });
  }
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry) throw new TwisterError('BACKUP_CORRUPT', 'the archive has no manifest');
  const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as Manifest;
  const contents = new Map(entries.filter((e) => e.kind === 'file' && e.name.startsWith('data/')).map((e) => [e.name.slice(5), e.data]));
  for (const entry of manifest.entries) {
    if (!isSafeRelative(entry.path)) throw new TwisterError('BACKUP_CORRUPT', `manifest path "${entry.path}" is not a safe relative path`);
    if (entry.kind !== 'file') continue;
    const data = contents.get(entry.path);
    if (!data || sha256(data) !== entry.sha256) {
      throw new TwisterError('BACKUP_CORRUPT', `${entry.path} does not match its recorded sha256`, { path: entry.path });
    }
  }
  return { manifest, contents };
}

/** Before anything changes: a link (or a file) where the saved tree has a directory is refused, not written through. */
async function checkNoLinksInTheWay(tree: FileTree, root: string, manifest: Manifest): Promise<void> {
  const rootStat = await tree.lstat(root);
  if (!rootStat) return;
  if (rootStat.kind !== 'dir') throw new TwisterError('PATH_NOT_ALLOWED', `${root} is now a ${rootStat.kind}, not the directory that was saved`, { path: root });
  const current = new Map((await tree.walk(root)).map((e) => [e.path, e]));
  for (const entry of manifest.entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i <= parts.length; i += 1) {
      const rel = parts.slice(0, i).join('/');
      const there = current.get(rel);
      const needsDir = i < parts.length || entry.kind === 'dir';
      if (there && needsDir && there.kind !== 'dir') {
        throw new TwisterError('PATH_NOT_ALLOWED', `${root}/${rel} is now a ${there.kind} where the backup has a directory; nothing was restored`, { path: `${root}/${rel}` });
      }
    }
  }
}

async function putBack(tree: FileTree, root: string, unpacked: Awaited<ReturnType<typeof unpack>>, signal: AbortSignal) {
  const { manifest, contents } = unpacked;
  const parent = tree.under(path.posix.dirname(root));
  if (manifest.kind === 'file') {
    const entry = manifest.entries[0]!;
    await parent.writeAtomic(path.posix.basename(root), contents.get(entry.path)!, entry.mode, signal);
    return { files_restored: 1, files_removed: 0 };
  }
  await checkNoLinksInTheWay(tree, root, manifest);
  await parent.mkdir(path.posix.basename(root));
  // Every write goes through the saved root: a link planted since cannot carry one outside it.
  const out = tree.under(root);
  let restored = 0;
  for (const entry of manifest.entries) {
    signal.throwIfAborted();
    if (entry.kind === 'dir') await out.mkdir(entry.path, entry.mode);
    else {
      await out.writeAtomic(entry.path, contents.get(entry.path)!, entry.mode, signal);
      restored += 1;
    }
  }
  const saved = new Set(manifest.entries.map((e) => e.path));
  const extra = (await tree.walk(root)).filter((e) => !saved.has(e.path)).map((e) => e.path).sort((a, b) => b.length - a.length);
  for (const rel of extra) await out.remove(rel);
  return { files_restored: restored, files_removed: extra.length };
}

export function createFilesEngine(options: { trees: FileTrees; roots: readonly string[] }): BackupEngine {
  const { trees, roots } = options;
  return {
    resolve: ({ target, deviceId }, signal) => trees.withTree(deviceId, signal, async (tree) => {
      const real = await canonicalisePath(target, roots, (p) => tree.realpath(p));
      const stat = await tree.lstat(real);
      if (stat?.kind !== 'dir' && stat?.kind !== 'file') throw new TwisterError('VALIDATION_FAILED', `${real} is neither a file nor a directory`);
      return { target: real, deviceId, details: { kind: stat.kind } };
    }),
    dump: (resolved, file, signal) => trees.withTree(resolved.deviceId, signal, async (tree) => {
      const kind = resolved.details.kind as 'file' | 'dir';
      const { manifest, tar } = await collect(tree, resolved.target, kind, signal);
      const manifestData = Buffer.from(JSON.stringify(manifest));
      await writeArchive(file, await gzip(writeTar([{ name: MANIFEST, kind: 'file', mode: 0o600, data: manifestData }, ...tar])));
      const files = manifest.entries.filter((e) => e.kind === 'file');
      return { files: files.length, bytes: files.reduce((sum, e) => sum + e.size, 0), skipped: manifest.skipped };
    }),
    restore: async (record: BackupRecord, file, signal) => {
      const unpacked = await unpack(file);
      return trees.withTree(record.deviceId, signal, async (tree) => {
        // The target must still resolve under the roots (its parent, when the target itself is gone or is now a link,
        // which the restore replaces or refuses: the writes never follow a link).
        const present = await tree.lstat(record.target);
        if (present && present.kind !== 'symlink') await canonicalisePath(record.target, roots, (p) => tree.realpath(p));
        else await canonicalisePath(path.posix.dirname(record.target), roots, (p) => tree.realpath(p));
        return putBack(tree, record.target, unpacked, signal);
      });
    },
  };
}
