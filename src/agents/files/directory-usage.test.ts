import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTree } from '../../adapters/files/local-tree.ts';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { createFilesAgent } from './files-agent.ts';

let root: string;
let registry: CapabilityRegistry;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'twisterlab-usage-'));
  for (let d = 0; d < 5; d += 1) {
    mkdirSync(path.join(root, `d${d}`));
    for (let f = 0; f < 10; f += 1) writeFileSync(path.join(root, `d${d}`, `f${f}`), Buffer.alloc(10 * (d + 1)));
  }
  const local = createLocalTree();
  registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(
    createFilesAgent({ trees: { withTree: (_id, _signal, use) => use(local) }, roots: [root], maxEntries: 20 }),
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('files.directory_usage caps its walk', () => {
  it('stops at the entry cap and says the figures are partial', async () => {
    const result = await registry.invoke('files.directory_usage', { path: root }, { actor: 'test' });
    expect(result.ok).toBe(true);
    const output = (result as { output: { truncated: boolean; files: number; directories: number } }).output;
    expect(output.truncated).toBe(true);
    // 5 directories and 50 files in all; the walk saw 20 entries.
    expect(output.directories + output.files).toBe(20);
    expect(output.files).toBeLessThan(50);
  });

  it('reports complete figures below the cap', async () => {
    const result = await registry.invoke('files.directory_usage', { path: path.join(root, 'd4') }, { actor: 'test' });
    expect(result).toMatchObject({ ok: true, output: { truncated: false, files: 10, bytes: 500 } });
  });
});
