// The FileTree of an SSH device over SFTP, on the device's pooled connection (same host-key pinning and
// authentication as its commands). Renames use the posix-rename extension so a file is replaced atomically.
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { FileKind, FileStat, FileTree, TreeEntry } from '../../core/file-tree.ts';
import { tempPathFor } from './local-tree.ts';

const CHUNK = 64 * 1024;
const NO_SUCH_FILE = 2;

function call<T>(run: (done: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));
}

function kindOf(stats: Stats): FileKind {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  return stats.isDirectory() ? 'dir' : 'other';
}

const missing = (error: unknown) => (error as { code?: unknown }).code === NO_SUCH_FILE;

export function createSftpTree(sftp: SFTPWrapper): FileTree {
  const lstat = async (p: string): Promise<FileStat | undefined> => {
    try {
      const stats = await call<Stats>((done) => sftp.lstat(p, done));
      return { kind: kindOf(stats), size: stats.size, mode: stats.mode & 0o7777 };
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  };
  const writeChunks = async (handle: Buffer, data: Buffer, signal?: AbortSignal) => {
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      signal?.throwIfAborted();
      const length = Math.min(CHUNK, data.length - offset);
      await call((done) => sftp.write(handle, data, offset, length, offset, done));
    }
  };
  const mkdirp = async (dir: string, mode: number): Promise<void> => {
    if (await lstat(dir)) return;
    await mkdirp(path.posix.dirname(dir), mode);
    await call((done) => sftp.mkdir(dir, { mode }, done)).catch(async (error: unknown) => {
      if ((await lstat(dir))?.kind !== 'dir') throw error;
    });
  };
  return {
    realpath: async (p) => {
      // OpenSSH resolves links in realpath but answers for a missing path too: make missing an error.
      const real = await call<string>((done) => sftp.realpath(p, done));
      await call<Stats>((done) => sftp.stat(real, done));
      return real;
    },
    lstat,
    walk: async (root) => {
      const out: TreeEntry[] = [];
      const visit = async (rel: string): Promise<void> => {
        const list = await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(rel ? `${root}/${rel}` : root, done));
        for (const item of list.sort((a, b) => (a.filename < b.filename ? -1 : 1))) {
          if (item.filename === '.' || item.filename === '..') continue;
          const child = rel ? `${rel}/${item.filename}` : item.filename;
          const kind = kindOf(item.attrs);
          out.push({ path: child, kind, size: item.attrs.size, mode: item.attrs.mode & 0o7777 });
          if (kind === 'dir') await visit(child);
        }
      };
      await visit('');
      return out;
    },
    read: (p) => call<Buffer>((done) => sftp.readFile(p, done)),
    writeAtomic: async (target, data, mode, signal) => {
      await mkdirp(path.posix.dirname(target), 0o755);
      const temp = tempPathFor(target);
      const handle = await call<Buffer>((done) => sftp.open(temp, 'wx', { mode }, done));
      try {
        await writeChunks(handle, data, signal);
        await call((done) => sftp.fchmod(handle, mode, done));
        await call((done) => sftp.close(handle, done));
        signal?.throwIfAborted();
        await call((done) => sftp.ext_openssh_rename(temp, target, done));
      } catch (error) {
        await call((done) => sftp.close(handle, done)).catch(() => undefined);
        await call((done) => sftp.unlink(temp, done)).catch(() => undefined);
        throw error;
      }
    },
    mkdir: (p, mode = 0o755) => mkdirp(p, mode),
    remove: async (p) => {
      const stat = await lstat(p);
      if (!stat) return;
      await call((done) => (stat.kind === 'dir' ? sftp.rmdir(p, done) : sftp.unlink(p, done)));
    },
  };
}
