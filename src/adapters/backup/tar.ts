// A minimal ustar writer and reader (regular files and directories; PAX `path` records for long names),
// enough for TwisterLab's own archives: node:zlib gzips them, the manifest inside carries the checksums.
import { TwisterError } from '../../core/errors.ts';

const BLOCK = 512;

export interface TarEntry {
  name: string;
  kind: 'file' | 'dir';
  mode: number;
  data: Buffer;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, mode: number, type: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (`${length}${body}`.length !== length) length = Buffer.byteLength(`${length}${body}`);
  return Buffer.from(`${length}${body}`, 'utf8');
}

export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.kind === 'dir' ? `${entry.name}/` : entry.name;
    if (Buffer.byteLength(name) > 99) {
      const pax = paxRecord('path', name);
      parts.push(header('PaxHeader', pax.length, 0o644, 'x'), pax, padding(pax.length));
    }
    const data = entry.kind === 'file' ? entry.data : Buffer.alloc(0);
    parts.push(header(name.slice(0, 99), data.length, entry.mode, entry.kind === 'dir' ? '5' : '0'), data, padding(data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function corrupt(message: string): TwisterError {
  return new TwisterError('BACKUP_CORRUPT', `archive unreadable: ${message}`);
}

export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(field(block, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(block[156]!);
    if (!Number.isFinite(size) || offset + BLOCK + size > archive.length) throw corrupt(`entry at ${offset} runs past the end`);
    const data = Buffer.from(archive.subarray(offset + BLOCK, offset + BLOCK + size));
    offset += BLOCK + size + padding(size).length;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    const name = (longName ?? field(block, 0, 100)).replace(/\/$/, '');
    longName = undefined;
    const mode = parseInt(field(block, 100, 8).trim() || '0', 8);
    if (type === '5') entries.push({ name, kind: 'dir', mode, data: Buffer.alloc(0) });
    else if (type === '0' || type === '\0') entries.push({ name, kind: 'file', mode, data });
    else throw corrupt(`unexpected entry type "${type}" for ${name}`);
  }
  return entries;
}
