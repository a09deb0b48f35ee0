// The FileTree of the machine TwisterLab runs on (node:fs).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TEMP_MARKER, type FileKind, type FileStat, type FileTree, type TreeEntry } from '../../core/file-tree.ts';

const CHUNK = 1 << 20;

function kindOf(stat: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return 'file';
  return stat.isDirectory() ? 'dir' : 'other';
}

export function tempPathFor(target: string): string {
  return path.posix.join(path.posix.dirname(target), `${TEMP_MARKER}${randomBytes(6).toString('hex')}-${path.posix.basename(target)}`);
}

export function createLocalTree(): FileTree {
  const lstat = async (p: string): Promise<FileStat | undefined> => {
    const stat = await fs.lstat(p).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return stat ? { kind: kindOf(stat), size: stat.size, mode: stat.mode & 0o7777 } : undefined;
  };
  return {
    realpath: (p) => fs.realpath(p),
    lstat,
    walk: async (root) => {
      const out: TreeEntry[] = [];
      const visit = async (rel: string): Promise<void> => {
        const names = (await fs.readdir(path.join(root, rel))).sort();
        for (const name of names) {
          const child = rel ? `${rel}/${name}` : name;
          const stat = (await lstat(path.join(root, child)))!;
          out.push({ path: child, ...stat });
          if (stat.kind === 'dir') await visit(child);
        }
      };
      await visit('');
      return out;
    },
    read: (p) => fs.readFile(p),
    writeAtomic: async (target, data, mode, signal) => {
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temp = tempPathFor(target);
      const handle = await fs.open(temp, 'wx', mode);
      try {
        // In chunks, so an abort stops a large write part way (and the temp file goes, below).
        for (let offset = 0; offset < data.length; offset += CHUNK) {
          signal?.throwIfAborted();
          await handle.write(data, offset, Math.min(CHUNK, data.length - offset));
        }
        await handle.chmod(mode);
        await handle.sync();
        await handle.close();
        signal?.throwIfAborted();
        await fs.rename(temp, target);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await fs.rm(temp, { force: true });
        throw error;
      }
    },
    mkdir: async (p, mode = 0o755) => {
      await fs.mkdir(p, { recursive: true, mode });
    },
    remove: async (p) => {
      const stat = await lstat(p);
      if (!stat) return;
      if (stat.kind === 'dir') await fs.rmdir(p);
      else await fs.unlink(p);
    },
  };
}
