// Artifacts (screenshots) as files under `<data dir>/artifacts`: `<id>.png` and a sidecar `<id>.json` with what
// it is and where it came from. Files, not database rows, so the same store serves PGlite and PostgreSQL.
// Written through the local file tree, so never through a link planted in the artifacts directory or in its place.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactInfo, ArtifactStore } from '../../core/ports.ts';
import { createLocalTree } from '../files/local-tree.ts';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png' };
export const ARTIFACT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === 'ENOENT';
}

export function createFileArtifactStore(options: { dir: string }): ArtifactStore & { dir: string } {
  const dir = path.resolve(options.dir);
  const fileOf = (id: string, extension: string) => path.join(dir, `${id}.${extension}`);
  const local = createLocalTree();
  /** Written under a temporary name and renamed, so a reader never sees half a file. */
  const writeAtomic = async (id: string, extension: string, data: Uint8Array | string) => {
    // The directory holding the artifacts is resolved once (it may be a link an administrator made); below it, nothing is followed.
    const store = local.under(await realpath(path.dirname(dir)));
    await store.mkdir(path.basename(dir), 0o750);
    await store.writeAtomic(`${path.basename(dir)}/${id}.${extension}`, Buffer.from(data), 0o640);
  };
  return {
    dir,
    async save({ kind, contentType, data, source }) {
      const extension = EXTENSIONS[contentType];
      if (!extension) throw new Error(`no artifact extension for ${contentType}`);
      await mkdir(path.dirname(dir), { recursive: true });
      const info: ArtifactInfo = {
        id: randomUUID(),
        kind,
        contentType,
        bytes: data.byteLength,
        sha256: createHash('sha256').update(data).digest('hex'),
        createdAt: new Date().toISOString(),
        source,
      };
      await writeAtomic(info.id, extension, data);
      // The sidecar comes last: an artifact exists once its description does.
      await writeAtomic(info.id, 'json', `${JSON.stringify(info, null, 2)}\n`);
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
