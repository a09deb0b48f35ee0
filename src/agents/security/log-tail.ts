// The last lines of a file, read backwards from its end in chunks: a large log costs only what is read.
import type { OpenFile } from '../../core/file-tree.ts';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export async function readLastLines(
  file: OpenFile,
  maxLines: number,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const { size } = await file.stat();
  const parts: Buffer[] = [];
  let position = size;
  let newlines = 0;
  let total = 0;
  // One newline more than lines wanted: the line before the first one kept must be cut at its end.
  while (position > 0 && newlines <= maxLines && total < maxBytes) {
    signal?.throwIfAborted();
    const length = Math.min(CHUNK, position, maxBytes - total);
    position -= length;
    const chunk = await file.read(position, length);
    parts.unshift(chunk);
    total += chunk.length;
    for (const byte of chunk) if (byte === NEWLINE) newlines += 1;
  }
  const lines = Buffer.concat(parts).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  // Started mid-file: the first piece is the end of a line that was not read whole.
  if (position > 0) lines.shift();
  return lines.slice(-maxLines);
}
