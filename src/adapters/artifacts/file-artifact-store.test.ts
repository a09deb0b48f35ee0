import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileArtifactStore } from './file-artifact-store.ts';

let base: string;
beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'twisterlab-artifact-store-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const screenshot = {
  kind: 'screenshot',
  contentType: 'image/png',
  data: new Uint8Array([137, 80, 78, 71]),
  source: { url: 'https://example.org/' },
};

describe('the file artifact store', () => {
  it('saves an artifact and opens it back', async () => {
    const store = createFileArtifactStore({ dir: path.join(base, 'data', 'artifacts') });
    const info = await store.save(screenshot as never);
    expect((await store.open(info.id))?.data).toEqual(screenshot.data);
  });

  it('writes nothing through a link planted in place of its directory', async () => {
    const outside = path.join(base, 'outside');
    mkdirSync(outside);
    mkdirSync(path.join(base, 'data'));
    symlinkSync(outside, path.join(base, 'data', 'artifacts'));
    const store = createFileArtifactStore({ dir: path.join(base, 'data', 'artifacts') });
    await expect(store.save(screenshot as never)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(readdirSync(outside)).toEqual([]);
  });
});
