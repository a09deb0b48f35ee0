import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalTree } from '../../adapters/files/local-tree.ts';
import { readLastLines } from './log-tail.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tail(content: string, maxLines: number, maxBytes = 1 << 30) {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, content);
  const open = await createLocalTree().open(file, 'read');
  try {
    return await readLastLines(open, maxLines, maxBytes);
  } finally {
    await open.close();
  }
}

describe('the last lines of a file', () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);

  it('returns exactly the last N lines across many chunks', async () => {
    expect(await tail(`${lines.join('\n')}\n`, 3_000)).toEqual(lines.slice(-3_000));
  });

  it('returns the whole file when it has fewer lines, with or without a final newline', async () => {
    expect(await tail('a\nb\nc\n', 10)).toEqual(['a', 'b', 'c']);
    expect(await tail('a\nb\nc', 2)).toEqual(['b', 'c']);
    expect(await tail('', 5)).toEqual([]);
  });

  it('stops at the byte cap and never returns a cut line', async () => {
    const got = await tail(`${lines.join('\n')}\n`, 50_000, 100_000);
    expect(got.length).toBeGreaterThan(100);
    expect(got.length).toBeLessThan(50_000);
    expect(got).toEqual(lines.slice(-got.length));
  });
});
