// Where backup archives live: `<data dir>/backups/<id>.<ext>`, written through a temp file and renamed, never
// through a link.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupFiles, BackupType } from '../../core/backup.ts';
import { createLocalTree } from '../files/local-tree.ts';

const BACKUPS = 'backups';
const localTree = createLocalTree();
const EXTENSIONS: Record<BackupType, string> = { files: 'tar.gz', postgres: 'pgdump', redis: 'redis.json.gz' };

export function createBackupFiles(dataDir: string): BackupFiles & { dir: string } {
  const dir = path.join(dataDir, BACKUPS);
  return {
    dir,
    pathFor: (id, type) => path.join(dir, `${id}.${EXTENSIONS[type]}`),
    inspect: async (file) => {
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) return undefined;
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
      return { sizeBytes: stat.size, sha256: hash.digest('hex') };
    },
    remove: (file) => removeArchive(file),
  };
}

/**
 * Writes an archive at `<data dir>/backups/<name>` atomically, from a buffer or a stream. The data directory is
 * resolved once (an administrator may have made it a link); below it nothing is followed, so a link planted in
 * place of `backups` or of the archive cannot carry the write anywhere else.
 */
export async function writeArchive(
  file: string,
  data: Buffer | AsyncIterable<Buffer>,
  options: { signal?: AbortSignal; complete?: Promise<void> } = {},
): Promise<void> {
  const dataDir = path.dirname(path.dirname(file));
  await fs.mkdir(dataDir, { recursive: true });
  const store = localTree.under(await fs.realpath(dataDir));
  const rel = `${BACKUPS}/${path.basename(file)}`;
  await store.mkdir(BACKUPS, 0o700);
  const temp = await store.writeTemp(
    rel,
    Buffer.isBuffer(data)
      ? (async function* () {
          yield data;
        })()
      : data,
    0o600,
    options.signal,
  );
  try {
    // A stream's producer (pg_dump) says only when it exits whether what it wrote is whole.
    await options.complete;
    await store.rename(temp.path, rel);
  } catch (error) {
    await store.remove(temp.path).catch(() => undefined);
    throw error;
  }
}

/** Removes an archive (or the link or leftover in its place) without following a link on the way to it. */
async function removeArchive(file: string): Promise<void> {
  const dataDir = await fs.realpath(path.dirname(path.dirname(file))).catch(() => undefined);
  if (dataDir) await localTree.under(dataDir).remove(`${BACKUPS}/${path.basename(file)}`);
}
