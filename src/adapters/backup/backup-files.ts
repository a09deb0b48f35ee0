// Where backup archives live: `<data dir>/backups/<id>.<ext>`, written through a temp file and renamed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupFiles, BackupType } from '../../core/backup.ts';

const EXTENSIONS: Record<BackupType, string> = { files: 'tar.gz', postgres: 'pgdump', redis: 'redis.json.gz' };

export function createBackupFiles(dataDir: string): BackupFiles & { dir: string } {
  const dir = path.join(dataDir, 'backups');
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
    remove: (file) => fs.rm(file, { force: true }),
  };
}

/** Writes a whole archive atomically (the engines that build one in memory). */
export async function writeArchive(file: string, data: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.partial`;
  await fs.writeFile(temp, data, { mode: 0o600 });
  await fs.rename(temp, file);
}
