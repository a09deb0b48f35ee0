// The FileTree of an SSH device over SFTP, on the device's pooled connection (same host-key pinning and
// authentication as its commands). Writes go through sftp-rooted.ts, which keeps them under their root.
import type { SFTPWrapper, Stats } from 'ssh2';
import { TwisterError } from '../../core/errors.ts';
import type { FileKind, FileStat, FileTree, OpenFile, TreeEntry } from '../../core/file-tree.ts';
import { call, createSftpRootedTree, missing } from './sftp-rooted.ts';

const CHUNK = 64 * 1024;

function kindOf(stats: Stats): FileKind {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  return stats.isDirectory() ? 'dir' : 'other';
}

const toStat = (stats: Stats): FileStat => ({
  kind: kindOf(stats),
  size: stats.size,
  mode: stats.mode & 0o7777,
  mtimeMs: stats.mtime * 1000,
});

/** The handle is the file lstat saw: SFTP v3 cannot open without following links, so compare what it can see. */
function sameFile(seen: Stats, opened: Stats): boolean {
  return (
    opened.isFile() &&
    seen.uid === opened.uid &&
    seen.gid === opened.gid &&
    (seen.mode & 0o7777) === (opened.mode & 0o7777)
  );
}

async function openVerified(sftp: SFTPWrapper, p: string, mode: 'read' | 'write'): Promise<OpenFile> {
  const refuse = (why: string): never => {
    throw new TwisterError('PATH_NOT_ALLOWED', `${p} ${why}`, { path: p });
  };
  const seen = await call<Stats>((done) => sftp.lstat(p, done));
  if (seen.isSymbolicLink()) refuse('is a symbolic link, which is never followed');
  if (!seen.isFile()) refuse('is not a regular file');
  const handle = await call<Buffer>((done) => sftp.open(p, mode === 'write' ? 'r+' : 'r', done));
  const close = () => call((done) => sftp.close(handle, done)).then(() => undefined);
  const opened = await call<Stats>((done) => sftp.fstat(handle, done)).catch(async (error: unknown) => {
    await close().catch(() => undefined);
    throw error;
  });
  if (!sameFile(seen, opened)) {
    await close().catch(() => undefined);
    refuse('changed between its check and its opening (a link or another file was put in its place)');
  }
  const read = async (position: number, length: number): Promise<Buffer> => {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const got = await new Promise<number>((resolve, reject) => {
        sftp.read(handle, buffer, filled, Math.min(CHUNK, length - filled), position + filled, (err, bytesRead) =>
          err ? reject(err) : resolve(bytesRead),
        );
      });
      if (got === 0) break;
      filled += got;
    }
    return buffer.subarray(0, filled);
  };
  return {
    stat: async () => toStat(await call<Stats>((done) => sftp.fstat(handle, done))),
    read,
    chunks: async function* (position = 0, signal) {
      for (let at = position; ;) {
        signal?.throwIfAborted();
        const chunk = await read(at, 4 * CHUNK);
        if (chunk.length === 0) return;
        at += chunk.length;
        yield chunk;
      }
    },
    truncate: (size) => call((done) => sftp.fsetstat(handle, { size }, done)).then(() => undefined),
    close,
  };
}

export function createSftpTree(sftp: SFTPWrapper): FileTree {
  const lstat = async (p: string): Promise<FileStat | undefined> => {
    try {
      return toStat(await call<Stats>((done) => sftp.lstat(p, done)));
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  };
  const list = async (dir: string): Promise<TreeEntry[]> => {
    const items = await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(dir, done));
    return items
      .filter((item) => item.filename !== '.' && item.filename !== '..')
      .sort((a, b) => (a.filename < b.filename ? -1 : 1))
      .map((item) => ({ path: item.filename, ...toStat(item.attrs) }));
  };
  return {
    realpath: async (p) => {
      // OpenSSH resolves links in realpath but answers for a missing path too: make missing an error.
      const real = await call<string>((done) => sftp.realpath(p, done));
      await call<Stats>((done) => sftp.stat(real, done));
      return real;
    },
    lstat,
    list,
    walk: async (root) => {
      const out: TreeEntry[] = [];
      const visit = async (rel: string): Promise<void> => {
        for (const entry of await list(rel ? `${root}/${rel}` : root)) {
          const child = rel ? `${rel}/${entry.path}` : entry.path;
          out.push({ ...entry, path: child });
          if (entry.kind === 'dir') await visit(child);
        }
      };
      await visit('');
      return out;
    },
    open: (p) => openVerified(sftp, p, 'read'),
    statfs: async (p) => {
      const s = await call<{ f_frsize: number; f_blocks: number; f_bfree: number; f_bavail: number }>((done) =>
        sftp.ext_openssh_statvfs(p, done),
      );
      return {
        sizeBytes: s.f_blocks * s.f_frsize,
        availableBytes: s.f_bavail * s.f_frsize,
        freeBytes: s.f_bfree * s.f_frsize,
      };
    },
    read: (p) => call<Buffer>((done) => sftp.readFile(p, done)),
    under: (root) => createSftpRootedTree(sftp, root, (p) => openVerified(sftp, p, 'write')),
  };
}
