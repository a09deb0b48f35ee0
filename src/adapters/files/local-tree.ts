// The FileTree of the machine TwisterLab runs on (node:fs).
import { constants as fsConstants, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TwisterError } from '../../core/errors.ts';
import type { FileKind, FileStat, FileTree, OpenFile, TreeEntry } from '../../core/file-tree.ts';
import { createLocalRootedTree } from './local-rooted.ts';

const CHUNK = 1 << 20;

function kindOf(stat: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return 'file';
  return stat.isDirectory() ? 'dir' : 'other';
}

const toStat = (stat: Stats): FileStat => ({
  kind: kindOf(stat),
  size: stat.size,
  mode: stat.mode & 0o7777,
  mtimeMs: Math.floor(stat.mtimeMs),
});

/** `shown` names the file in errors when `p` is a handle-relative path. */
async function openNoFollow(p: string, mode: 'read' | 'write', shown = p): Promise<OpenFile> {
  // O_NONBLOCK: a FIFO swapped in for the file must not hang the open; fstat below refuses it.
  const flags =
    (mode === 'write' ? fsConstants.O_RDWR : fsConstants.O_RDONLY) | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;
  const handle = await fs.open(p, flags).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP')
      throw new TwisterError('PATH_NOT_ALLOWED', `${shown} is a symbolic link, which is never followed`, {
        path: shown,
      });
    throw error;
  });
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new TwisterError('PATH_NOT_ALLOWED', `${shown} is not a regular file`, { path: shown });
  }
  const read = async (position: number, length: number) => {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  };
  return {
    stat: async () => toStat(await handle.stat()),
    read,
    chunks: async function* (position = 0, signal) {
      for (let at = position; ;) {
        signal?.throwIfAborted();
        const chunk = await read(at, CHUNK);
        if (chunk.length === 0) return;
        at += chunk.length;
        yield chunk;
      }
    },
    truncate: (size) => handle.truncate(size),
    close: () => handle.close(),
  };
}

export function createLocalTree(): FileTree {
  const lstat = async (p: string): Promise<FileStat | undefined> => {
    const stat = await fs.lstat(p).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return stat ? toStat(stat) : undefined;
  };
  const list = async (dir: string): Promise<TreeEntry[]> => {
    const out: TreeEntry[] = [];
    for (const name of (await fs.readdir(dir)).sort()) {
      // Gone between readdir and lstat (a rotated or deleted file): not listed.
      const stat = await lstat(path.join(dir, name));
      if (stat) out.push({ path: name, ...stat });
    }
    return out;
  };
  return {
    realpath: (p) => fs.realpath(p),
    lstat,
    list,
    walk: async (root) => {
      const out: TreeEntry[] = [];
      const visit = async (rel: string): Promise<void> => {
        for (const entry of await list(path.join(root, rel))) {
          const child = rel ? `${rel}/${entry.path}` : entry.path;
          out.push({ ...entry, path: child });
          if (entry.kind === 'dir') await visit(child);
        }
      };
      await visit('');
      return out;
    },
    open: (p) => openNoFollow(p, 'read'),
    statfs: async (p) => {
      const s = await fs.statfs(p);
      return { sizeBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, freeBytes: s.bfree * s.bsize };
    },
    read: (p) => fs.readFile(p),
    under: (root) => createLocalRootedTree(root, (p, shown) => openNoFollow(p, 'write', shown)),
  };
}
