// File backups: a directory or file, local or on an SSH device (SFTP), archived as tar.gz with a manifest of
// per-file sha256, mode and size. Restore checks every checksum first, then swaps files in atomically and
// removes files that appeared since, so the tree is exactly what was saved.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BackupEngine, BackupRecord } from '../../core/backup.ts';
import { TwisterError } from '../../core/errors.ts';
import type { FileTree, FileTrees, RootedTree } from '../../core/file-tree.ts';
import { canonicalisePath, isSafeRelative } from '../../core/path-guard.ts';
import { archiveWriter, readArchive, type ArchiveWriter } from './tar-archive.ts';
import { writeArchive } from './backup-files.ts';

const MANIFEST = 'manifest.json';
const MANIFEST_CAP = 64 * 1024 * 1024;
const CHUNK = 256 * 1024;

interface ManifestEntry {
  path: string;
  kind: 'file' | 'dir';
  mode: number;
  size: number;
  sha256?: string;
}
interface Manifest {
  version: 1;
  kind: 'file' | 'dir';
  root: string;
  entries: ManifestEntry[];
  skipped: string[];
}

/** Exactly the `size` bytes the walk saw, hashed on the way: a file that shrank meanwhile fails the backup. */
async function* readExactly(
  tree: FileTree,
  file: string,
  size: number,
  hash: ReturnType<typeof createHash>,
  signal: AbortSignal,
) {
  const opened = await tree.open(file, 'read');
  try {
    for (let position = 0; position < size;) {
      signal.throwIfAborted();
      const chunk = await opened.read(position, Math.min(CHUNK, size - position));
      if (chunk.length === 0)
        throw new TwisterError('BACKUP_FAILED', `${file} shrank while it was being saved; nothing was kept`, {
          path: file,
        });
      hash.update(chunk);
      position += chunk.length;
      yield chunk;
    }
  } finally {
    await opened.close();
  }
}

/** Streams the tree into the archive, file by file; the manifest (sizes, modes, sha256) goes last. */
async function pack(
  tree: FileTree,
  root: string,
  kind: 'file' | 'dir',
  archive: ArchiveWriter,
  signal: AbortSignal,
): Promise<Manifest> {
  const manifest: Manifest = { version: 1, kind, root, entries: [], skipped: [] };
  const walked =
    kind === 'dir' ? await tree.walk(root) : [{ path: path.posix.basename(root), ...(await tree.lstat(root))! }];
  for (const entry of walked) {
    signal.throwIfAborted();
    if (entry.kind === 'dir') {
      manifest.entries.push({ path: entry.path, kind: 'dir', mode: entry.mode, size: 0 });
      await archive.dir(`data/${entry.path}`, entry.mode);
    } else if (entry.kind === 'file') {
      const hash = createHash('sha256');
      const source = kind === 'dir' ? `${root}/${entry.path}` : root;
      await archive.file(
        `data/${entry.path}`,
        entry.mode,
        entry.size,
        readExactly(tree, source, entry.size, hash, signal),
      );
      manifest.entries.push({
        path: entry.path,
        kind: 'file',
        mode: entry.mode,
        size: entry.size,
        sha256: hash.digest('hex'),
      });
    } else {
      // Links are not followed: one could lead out of the roots, and restoring it could redirect later writes.
      manifest.skipped.push(`${entry.path} (${entry.kind})`);
    }
  }
  return manifest;
}

async function readAll(data: AsyncIterable<Buffer>, cap: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size > cap)
      throw new TwisterError('BACKUP_CORRUPT', 'the archive manifest is larger than any TwisterLab writes');
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * First pass over the archive, nothing written: every file's sha256 and size against the manifest (which old
 * archives carry first and new ones last). Any mismatch is BACKUP_CORRUPT before a single file is touched.
 */
async function verify(file: string, signal: AbortSignal): Promise<Manifest> {
  let manifest: Manifest | undefined;
  const seen = new Map<string, { sha256: string; size: number }>();
  for await (const entry of readArchive(file, signal)) {
    if (entry.name === MANIFEST && entry.kind === 'file') {
      manifest = JSON.parse((await readAll(entry.data, MANIFEST_CAP)).toString('utf8')) as Manifest;
    } else if (entry.kind === 'file' && entry.name.startsWith('data/')) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of entry.data) {
        hash.update(chunk);
        size += chunk.length;
      }
      seen.set(entry.name.slice(5), { sha256: hash.digest('hex'), size });
    }
  }
  if (!manifest) throw new TwisterError('BACKUP_CORRUPT', 'the archive has no manifest');
  for (const entry of manifest.entries) {
    if (!isSafeRelative(entry.path))
      throw new TwisterError('BACKUP_CORRUPT', `manifest path "${entry.path}" is not a safe relative path`);
    if (entry.kind !== 'file') continue;
    const found = seen.get(entry.path);
    if (!found || found.sha256 !== entry.sha256 || found.size !== entry.size) {
      throw new TwisterError('BACKUP_CORRUPT', `${entry.path} does not match its recorded sha256`, {
        path: entry.path,
      });
    }
  }
  return manifest;
}

/** Before anything changes: a link (or a file) where the saved tree has a directory is refused, not written through. */
async function checkNoLinksInTheWay(tree: FileTree, root: string, manifest: Manifest): Promise<void> {
  const rootStat = await tree.lstat(root);
  if (!rootStat) return;
  if (rootStat.kind !== 'dir')
    throw new TwisterError('PATH_NOT_ALLOWED', `${root} is now a ${rootStat.kind}, not the directory that was saved`, {
      path: root,
    });
  const current = new Map((await tree.walk(root)).map((e) => [e.path, e]));
  for (const entry of manifest.entries) {
    const parts = entry.path.split('/');
    for (let i = 1; i <= parts.length; i += 1) {
      const rel = parts.slice(0, i).join('/');
      const there = current.get(rel);
      const needsDir = i < parts.length || entry.kind === 'dir';
      if (there && needsDir && there.kind !== 'dir') {
        throw new TwisterError(
          'PATH_NOT_ALLOWED',
          `${root}/${rel} is now a ${there.kind} where the backup has a directory; nothing was restored`,
          { path: `${root}/${rel}` },
        );
      }
    }
  }
}

/** Streams one saved file into place through a temp file beside it (renamed over the target: all or nothing). */
async function writeStreamed(
  tree: RootedTree,
  rel: string,
  data: AsyncIterable<Buffer>,
  mode: number,
  signal: AbortSignal,
): Promise<void> {
  const temp = await tree.writeTemp(rel, data, mode, signal);
  try {
    await tree.rename(temp.path, rel);
  } catch (error) {
    await tree.remove(temp.path).catch(() => undefined);
    throw error;
  }
}

/** Second pass: the verified archive, entry by entry, into the tree; then whatever appeared since is removed. */
async function putBack(tree: FileTree, root: string, file: string, manifest: Manifest, signal: AbortSignal) {
  const parent = tree.under(path.posix.dirname(root));
  const saved = new Map(manifest.entries.map((e) => [e.path, e]));
  if (manifest.kind === 'file') {
    const entry = manifest.entries[0]!;
    for await (const item of readArchive(file, signal)) {
      if (item.name === `data/${entry.path}`)
        await writeStreamed(parent, path.posix.basename(root), item.data, entry.mode, signal);
    }
    return { files_restored: 1, files_removed: 0 };
  }
  await checkNoLinksInTheWay(tree, root, manifest);
  await parent.mkdir(path.posix.basename(root));
  // Every write goes through the saved root: a link planted since cannot carry one outside it.
  const out = tree.under(root);
  let restored = 0;
  for await (const item of readArchive(file, signal)) {
    const entry = item.name.startsWith('data/') ? saved.get(item.name.slice(5)) : undefined;
    if (!entry || entry.kind !== item.kind) continue;
    if (entry.kind === 'dir') {
      await out.mkdir(entry.path, entry.mode);
      continue;
    }
    const dir = path.posix.dirname(entry.path);
    if (dir !== '.') await out.mkdir(dir);
    await writeStreamed(out, entry.path, item.data, entry.mode, signal);
    restored += 1;
  }
  const extra = (await tree.walk(root))
    .filter((e) => !saved.has(e.path))
    .map((e) => e.path)
    .sort((a, b) => b.length - a.length);
  for (const rel of extra) await out.remove(rel);
  return { files_restored: restored, files_removed: extra.length };
}

export function createFilesEngine(options: { trees: FileTrees; roots: readonly string[] }): BackupEngine {
  const { trees, roots } = options;
  return {
    resolve: ({ target, deviceId }, signal) =>
      trees.withTree(deviceId, signal, async (tree) => {
        const real = await canonicalisePath(target, roots, (p) => tree.realpath(p));
        const stat = await tree.lstat(real);
        if (stat?.kind !== 'dir' && stat?.kind !== 'file')
          throw new TwisterError('VALIDATION_FAILED', `${real} is neither a file nor a directory`);
        return { target: real, deviceId, details: { kind: stat.kind } };
      }),
    dump: (resolved, file, signal) =>
      trees.withTree(resolved.deviceId, signal, async (tree) => {
        const kind = resolved.details.kind as 'file' | 'dir';
        const archive = archiveWriter();
        const packing = pack(tree, resolved.target, kind, archive, signal).then(
          async (manifest) => {
            const data = Buffer.from(JSON.stringify(manifest));
            await archive.file(MANIFEST, 0o600, data.length, data);
            archive.finish();
            return manifest;
          },
          (error: unknown) => {
            archive.abort(error as Error);
            throw error;
          },
        );
        // The archive is kept only when the packing finished: a failure removes the temp file.
        const complete = packing.then(() => undefined);
        complete.catch(() => undefined); // awaited by writeArchive unless the write failed first
        const [manifest] = await Promise.all([packing, writeArchive(file, archive.output, { signal, complete })]);
        const files = manifest.entries.filter((e) => e.kind === 'file');
        return { files: files.length, bytes: files.reduce((sum, e) => sum + e.size, 0), skipped: manifest.skipped };
      }),
    restore: async (record: BackupRecord, file, signal) => {
      const manifest = await verify(file, signal);
      return trees.withTree(record.deviceId, signal, async (tree) => {
        // The target must still resolve under the roots (its parent, when the target itself is gone or is now a link,
        // which the restore replaces or refuses: the writes never follow a link).
        const present = await tree.lstat(record.target);
        if (present && present.kind !== 'symlink')
          await canonicalisePath(record.target, roots, (p) => tree.realpath(p));
        else await canonicalisePath(path.posix.dirname(record.target), roots, (p) => tree.realpath(p));
        return putBack(tree, record.target, file, manifest, signal);
      });
    },
  };
}
