// Writes on this machine that never leave their root: each directory from `/` down is opened with
// O_DIRECTORY|O_NOFOLLOW relative to the one above it, and entries are created, renamed and removed relative to the
// verified parent. On Linux `/proc/self/fd/<fd>/<name>` names `<name>` inside an open directory (what openat does,
// which Node lacks), so a link swapped in after a check cannot redirect a write. Without /proc each component is
// still checked as it is opened, but a link swapped in between that check and the write would not be noticed.
import { constants as c, existsSync } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { TwisterError } from '../../core/errors.ts';
import { tempNameFor, type OpenFile, type RootedTree } from '../../core/file-tree.ts';
import { rootedSegments } from '../../core/path-guard.ts';

const DIRECTORY = c.O_RDONLY | c.O_DIRECTORY | c.O_NOFOLLOW;
const NEW_FILE = c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW;
const CHUNK = 1 << 20;
const HAS_PROC_FD = existsSync('/proc/self/fd');

/** A verified directory held open; `at(name)` names an entry in it for a path-taking call. */
interface HeldDir {
  shown: string;
  at(name: string): string;
  close(): Promise<void>;
}

const refuse = (shown: string, why: string): never => {
  throw new TwisterError('PATH_NOT_ALLOWED', `${shown} ${why}; nothing is written through it`, { path: shown });
};

function held(handle: FileHandle, shown: string): HeldDir {
  const base = HAS_PROC_FD ? `/proc/self/fd/${handle.fd}` : shown;
  return { shown, at: (name) => (base === '/' ? `/${name}` : `${base}/${name}`), close: () => handle.close() };
}

/** Opens `name` inside `parent` as a directory, never through a link; creates it first when `create` gives a mode. */
async function openChild(parent: HeldDir, name: string, create: number | undefined): Promise<HeldDir> {
  const shown = parent.shown === '/' ? `/${name}` : `${parent.shown}/${name}`;
  try {
    return held(await fs.open(parent.at(name), DIRECTORY), shown);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && create !== undefined) {
      // mkdir never follows a link at its last component: one planted meanwhile makes it fail with EEXIST.
      await fs.mkdir(parent.at(name), create).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      return openChild(parent, name, undefined);
    }
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      const stat = await fs.lstat(parent.at(name)).catch(() => undefined);
      return refuse(
        shown,
        stat?.isSymbolicLink() ? 'is a symbolic link, which is never followed' : 'is not a directory',
      );
    }
    throw error;
  }
}

/** The directory `root/dirs…`, every component opened without following links; missing `dirs` made when `create`. */
async function openDir(root: string[], dirs: string[], create: number | undefined): Promise<HeldDir> {
  let current = held(await fs.open('/', DIRECTORY), '/');
  try {
    for (const [i, name] of [...root, ...dirs].entries()) {
      const next = await openChild(current, name, i < root.length ? undefined : create);
      await current.close();
      current = next;
    }
    return current;
  } catch (error) {
    await current.close().catch(() => undefined);
    throw error;
  }
}

async function inDir<T>(
  root: string[],
  dirs: string[],
  create: number | undefined,
  use: (dir: HeldDir) => Promise<T>,
): Promise<T> {
  const dir = await openDir(root, dirs, create);
  try {
    return await use(dir);
  } finally {
    await dir.close().catch(() => undefined);
  }
}

/** Writes `data` into a new file `name` of `dir` (exclusive, no link followed); removes it again on failure. */
async function writeNew(
  dir: HeldDir,
  name: string,
  data: AsyncIterable<Buffer>,
  mode: number,
  signal?: AbortSignal,
): Promise<number> {
  const handle = await fs.open(dir.at(name), NEW_FILE, mode);
  let bytes = 0;
  try {
    for await (const chunk of data) {
      signal?.throwIfAborted();
      await handle.write(chunk, 0, chunk.length, bytes);
      bytes += chunk.length;
    }
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    return bytes;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.unlink(dir.at(name)).catch(() => undefined);
    throw error;
  }
}

/** In chunks, so an abort stops a large write part way. */
async function* chunksOf(data: Buffer): AsyncIterable<Buffer> {
  for (let offset = 0; offset < data.length; offset += CHUNK)
    yield data.subarray(offset, Math.min(offset + CHUNK, data.length));
}

export function createLocalRootedTree(
  rootPath: string,
  openFile: (p: string, shown: string) => Promise<OpenFile>,
): RootedTree {
  const split = (rel: string) => {
    const parts = rootedSegments(rootPath, rel);
    return {
      root: parts.root,
      dirs: parts.rel.slice(0, -1),
      name: parts.rel.at(-1)!,
      parent: parts.rel.slice(0, -1).join('/'),
    };
  };
  const joinRel = (dirs: string, name: string) => (dirs ? `${dirs}/${name}` : name);
  return {
    root: rootPath,
    open: async (rel) => {
      const p = split(rel);
      return inDir(p.root, p.dirs, undefined, (dir) => openFile(dir.at(p.name), `${dir.shown}/${p.name}`));
    },
    writeTemp: async (rel, data, mode, signal) => {
      const p = split(rel);
      const name = tempNameFor(p.name);
      const bytes = await inDir(p.root, p.dirs, undefined, (dir) => writeNew(dir, name, data, mode, signal));
      return { path: joinRel(p.parent, name), bytes };
    },
    rename: async (fromRel, toRel) => {
      const from = split(fromRel);
      const to = split(toRel);
      await inDir(from.root, from.dirs, undefined, (a) =>
        inDir(to.root, to.dirs, undefined, (b) => fs.rename(a.at(from.name), b.at(to.name))),
      );
    },
    writeAtomic: async (rel, data, mode, signal) => {
      const p = split(rel);
      await inDir(p.root, p.dirs, 0o755, async (dir) => {
        const name = tempNameFor(p.name);
        await writeNew(dir, name, chunksOf(data), mode, signal);
        try {
          signal?.throwIfAborted();
          await fs.rename(dir.at(name), dir.at(p.name));
        } catch (error) {
          await fs.unlink(dir.at(name)).catch(() => undefined);
          throw error;
        }
      });
    },
    mkdir: async (rel, mode = 0o755) => {
      const parts = rootedSegments(rootPath, rel);
      await inDir(parts.root, parts.rel, mode, async () => undefined);
    },
    remove: async (rel) => {
      const p = split(rel);
      await inDir(p.root, p.dirs, undefined, async (dir) => {
        const stat = await fs.lstat(dir.at(p.name)).catch(() => undefined);
        if (!stat) return;
        if (stat.isDirectory()) await fs.rmdir(dir.at(p.name));
        else await fs.unlink(dir.at(p.name));
      }).catch((error: NodeJS.ErrnoException) => {
        // A parent already gone: nothing left to remove.
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}
