// Writes over SFTP that do not leave their root. SFTP v3 has neither openat nor O_NOFOLLOW, so each change is
// bracketed: every component from `/` to the parent is lstat'ed (a link or anything but a directory is refused),
// the change is made by path with exclusive creation and a rename that never follows its last component, and the
// chain is checked again; a change that then finds a link on its way is undone where it can be (the file just put
// in place is removed, a rename is reversed) and refused.
// What remains, and cannot be closed without openat on the server: someone able to swap a directory of the chain
// for a link and back again, exactly between the checks and the rename, could have the rename replace a file
// elsewhere; the check after it notices the link only if it is still there, and removes the new file, but the
// file it replaced is gone. A removal (sync with delete, restore) has the same window between its check and the
// unlink. Locally (see local-rooted.ts) there is no such window.
import type { SFTPWrapper, Stats } from 'ssh2';
import { TwisterError } from '../../core/errors.ts';
import { tempNameFor, type OpenFile, type RootedTree } from '../../core/file-tree.ts';
import { rootedSegments } from '../../core/path-guard.ts';

const CHUNK = 64 * 1024;
export const NO_SUCH_FILE = 2;

export function call<T>(run: (done: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));
}

export const missing = (error: unknown) => (error as { code?: unknown }).code === NO_SUCH_FILE;

const refuse = (shown: string, why: string): never => {
  throw new TwisterError('PATH_NOT_ALLOWED', `${shown} ${why}; nothing is written through it`, { path: shown });
};

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

export function createSftpRootedTree(
  sftp: SFTPWrapper,
  rootPath: string,
  openFile: (p: string) => Promise<OpenFile>,
): RootedTree {
  const lstat = (p: string) =>
    call<Stats>((done) => sftp.lstat(p, done)).catch((error: unknown) => {
      if (missing(error)) return undefined;
      throw error;
    });
  /** The directory `root/dirs…` after checking each component; missing `dirs` are made when `create` gives a mode. */
  const checkChain = async (root: string[], dirs: string[], create?: number): Promise<string> => {
    let at = '/';
    for (const [i, name] of [...root, ...dirs].entries()) {
      at = join(at, name);
      let stats = await lstat(at);
      if (!stats && create !== undefined && i >= root.length) {
        // SFTP mkdir does not follow a link at its last component: one planted meanwhile makes it fail, and lstat tells.
        await call((done) => sftp.mkdir(at, { mode: create }, done)).catch(() => undefined);
        stats = await lstat(at);
      }
      if (!stats) throw Object.assign(new Error(`${at} does not exist`), { code: NO_SUCH_FILE });
      if (stats.isSymbolicLink()) refuse(at, 'is a symbolic link, which is never followed');
      if (!stats.isDirectory()) refuse(at, 'is not a directory');
    }
    return at;
  };
  const split = (rel: string) => {
    const parts = rootedSegments(rootPath, rel);
    return { root: parts.root, dirs: parts.rel.slice(0, -1), name: parts.rel.at(-1)! };
  };
  const unlink = (p: string) => call((done) => sftp.unlink(p, done)).catch(() => undefined);

  /** A new file `name` in the checked `dir`, filled with `data`; removed on failure or if the chain changed meanwhile. */
  const writeNew = async (
    p: ReturnType<typeof split>,
    dir: string,
    data: AsyncIterable<Buffer>,
    mode: number,
    signal?: AbortSignal,
  ) => {
    const temp = join(dir, tempNameFor(p.name));
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
      await checkChain(p.root, p.dirs);
      return { temp, bytes };
    } catch (error) {
      await call((done) => sftp.close(handle, done)).catch(() => undefined);
      await unlink(temp);
      throw error;
    }
  };
  const rename = (from: string, to: string) =>
    call((done) => sftp.ext_openssh_rename(from, to, done)).then(() => undefined);

  return {
    root: rootPath,
    open: async (rel) => {
      const p = split(rel);
      const file = await openFile(join(await checkChain(p.root, p.dirs), p.name));
      try {
        await checkChain(p.root, p.dirs);
        return file;
      } catch (error) {
        await file.close().catch(() => undefined);
        throw error;
      }
    },
    writeTemp: async (rel, data, mode, signal) => {
      const p = split(rel);
      const { temp, bytes } = await writeNew(p, await checkChain(p.root, p.dirs), data, mode, signal);
      return { path: [...p.dirs, temp.slice(temp.lastIndexOf('/') + 1)].join('/'), bytes };
    },
    rename: async (fromRel, toRel) => {
      const from = split(fromRel);
      const to = split(toRel);
      const a = join(await checkChain(from.root, from.dirs), from.name);
      const b = join(await checkChain(to.root, to.dirs), to.name);
      await rename(a, b);
      try {
        await checkChain(to.root, to.dirs);
      } catch (error) {
        await rename(b, a).catch(() => undefined);
        throw error;
      }
    },
    writeAtomic: async (rel, data, mode, signal) => {
      const p = split(rel);
      const dir = await checkChain(p.root, p.dirs, 0o755);
      const { temp } = await writeNew(
        p,
        dir,
        (async function* () {
          for (let offset = 0; offset < data.length; offset += 4 * CHUNK)
            yield data.subarray(offset, offset + 4 * CHUNK);
        })(),
        mode,
        signal,
      );
      const target = join(dir, p.name);
      try {
        signal?.throwIfAborted();
        await rename(temp, target);
      } catch (error) {
        await unlink(temp);
        throw error;
      }
      try {
        await checkChain(p.root, p.dirs);
      } catch (error) {
        await unlink(target);
        throw error;
      }
    },
    mkdir: async (rel, mode = 0o755) => {
      const parts = rootedSegments(rootPath, rel);
      await checkChain(parts.root, parts.rel, mode);
    },
    remove: async (rel) => {
      const p = split(rel);
      let dir: string;
      try {
        dir = await checkChain(p.root, p.dirs);
      } catch (error) {
        if (missing(error)) return;
        throw error;
      }
      const target = join(dir, p.name);
      const stats = await lstat(target);
      if (!stats) return;
      await call((done) => (stats.isDirectory() ? sftp.rmdir(target, done) : sftp.unlink(target, done)));
    },
  };
}
