// The FileTree of an SSH device over SFTP, on the device's pooled connection (same host-key pinning and
// authentication as its commands). Renames use the posix-rename extension so a file is replaced atomically.
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { TwisterError } from '../../core/errors.ts';
import type { FileKind, FileStat, FileTree, OpenFile, TreeEntry } from '../../core/file-tree.ts';
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
const toStat = (stats: Stats): FileStat => ({ kind: kindOf(stats), size: stats.size, mode: stats.mode & 0o7777, mtimeMs: stats.mtime * 1000 });

/** The handle is the file lstat saw: SFTP v3 cannot open without following links, so compare what it can see. */
function sameFile(seen: Stats, opened: Stats): boolean {
  return opened.isFile() && seen.uid === opened.uid && seen.gid === opened.gid && (seen.mode & 0o7777) === (opened.mode & 0o7777);
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
        sftp.read(handle, buffer, filled, Math.min(CHUNK, length - filled), position + filled, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
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
    open: (p, mode) => openVerified(sftp, p, mode),
    writeTemp: async (target, data, mode, signal) => {
      const temp = tempPathFor(target);
      const handle = await call<Buffer>((done) => sftp.open(temp, 'wx', { mode }, done));
      let bytes = 0;
      try {
        for await (const chunk of data) {
          signal?.throwIfAborted();
          for (let offset = 0; offset < chunk.length; offset += CHUNK) {
            const length = Math.min(CHUNK, chunk.length - offset);
            await call((done) => sftp.write(handle, chunk, offset, length, bytes + offset, done));
          }
          bytes += chunk.length;
        }
        await call((done) => sftp.fchmod(handle, mode, done));
        await call((done) => sftp.close(handle, done));
        return { path: temp, bytes };
      } catch (error) {
        await call((done) => sftp.close(handle, done)).catch(() => undefined);
        await call((done) => sftp.unlink(temp, done)).catch(() => undefined);
        throw error;
      }
    },
    rename: (from, to) => call((done) => sftp.ext_openssh_rename(from, to, done)).then(() => undefined),
    statfs: async (p) => {
      const s = await call<{ f_frsize: number; f_blocks: number; f_bfree: number; f_bavail: number }>((done) => sftp.ext_openssh_statvfs(p, done));
      return { sizeBytes: s.f_blocks * s.f_frsize, availableBytes: s.f_bavail * s.f_frsize, freeBytes: s.f_bfree * s.f_frsize };
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
