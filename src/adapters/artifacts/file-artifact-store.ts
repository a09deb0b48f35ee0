// Artifacts (screenshots) as files under `<data dir>/artifacts`: `<id>.png` and a sidecar `<id>.json` with what
// it is and where it came from. Files, not database rows, so the same store serves PGlite and PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactInfo, ArtifactStore } from '../../core/ports.ts';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png' };
export const ARTIFACT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === 'ENOENT';
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
async function writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: 0o640 });
  await rename(temporary, file);
}

export function createFileArtifactStore(options: { dir: string }): ArtifactStore & { dir: string } {
  const dir = path.resolve(options.dir);
  const fileOf = (id: string, extension: string) => path.join(dir, `${id}.${extension}`);
  return {
    dir,
    async save({ kind, contentType, data, source }) {
      const extension = EXTENSIONS[contentType];
      if (!extension) throw new Error(`no artifact extension for ${contentType}`);
      await mkdir(dir, { recursive: true, mode: 0o750 });
      const info: ArtifactInfo = {
        id: randomUUID(), kind, contentType, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex'),
        createdAt: new Date().toISOString(), source,
      };
      await writeAtomic(fileOf(info.id, extension), data);
      // The sidecar comes last: an artifact exists once its description does.
      await writeAtomic(fileOf(info.id, 'json'), `${JSON.stringify(info, null, 2)}\n`);
      return info;
    },
    async open(id) {
      if (!ARTIFACT_ID.test(id)) return undefined;
      try {
        const info = JSON.parse(await readFile(fileOf(id, 'json'), 'utf8')) as ArtifactInfo;
        const extension = EXTENSIONS[info.contentType];
        if (info.id !== id || !extension) return undefined;
        return { info, data: new Uint8Array(await readFile(fileOf(id, extension))) };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}
