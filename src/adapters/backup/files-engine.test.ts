// The files engine on this machine's file system: archives are streamed (tar.gz) both ways, checked in full before
// anything is written, and older archives (manifest first, as GNU tar writes them) restore the same.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupRecord } from '../../core/backup.ts';
import type { FileTrees } from '../../core/file-tree.ts';
import { createLocalTree } from '../files/local-tree.ts';
import { createFilesEngine } from './files-engine.ts';

const trees: FileTrees = { withTree: (_device, _signal, use) => use(createLocalTree()) };
const signal = () => AbortSignal.timeout(600_000);
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let root: string;
let dataDir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'twisterlab-files-engine-'));
  dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-files-data-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

async function backUp(target: string) {
  const engine = createFilesEngine({ trees, roots: [root] });
  const resolved = await engine.resolve({ target, deviceId: 'local' }, signal());
  const file = path.join(dataDir, 'backups', 'b1.tar.gz');
  const facts = await engine.dump(resolved, file, signal());
  const record: BackupRecord = {
    id: 'b1',
    type: 'files',
    target: resolved.target,
    deviceId: 'local',
    path: file,
    sizeBytes: statSync(file).size,
    sha256: digest(file),
    details: resolved.details,
    ticketId: null,
    createdAt: new Date().toISOString(),
  };
  return { engine, file, facts, record };
}

describe('file backups as a stream', () => {
  it('round-trips a tree with a large file and many small ones, byte for byte', async () => {
    const dir = path.join(root, 'data');
    mkdirSync(path.join(dir, 'logs', 'old'), { recursive: true });
    const big = randomBytes(8 * 1024 * 1024);
    writeFileSync(path.join(dir, 'logs', 'big.log'), big);
    for (let i = 0; i < 150; i++) writeFileSync(path.join(dir, 'logs', 'old', `app-${i}.log`), `line ${i}\n`.repeat(i));
    const { engine, facts, record } = await backUp(dir);
    expect(facts).toMatchObject({
      files: 151,
      bytes: big.length + Array.from({ length: 150 }, (_, i) => `line ${i}\n`.length * i).reduce((a, b) => a + b),
    });

    writeFileSync(path.join(dir, 'logs', 'big.log'), 'overwritten');
    rmSync(path.join(dir, 'logs', 'old', 'app-7.log'));
    writeFileSync(path.join(dir, 'logs', 'new.log'), 'appeared since');
    const restored = await engine.restore(record, record.path, signal());

    expect(restored).toEqual({ files_restored: 151, files_removed: 1 });
    expect(readFileSync(path.join(dir, 'logs', 'big.log')).equals(big)).toBe(true);
    expect(readFileSync(path.join(dir, 'logs', 'old', 'app-7.log'), 'utf8')).toBe('line 7\n'.repeat(7));
    expect(readdirSync(path.join(dir, 'logs')).sort()).toEqual(['big.log', 'old']);
  });

  it('restores an archive written with the manifest first, as earlier releases and GNU tar order it', async () => {
    const dir = path.join(root, 'site');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'app.conf'), 'port=8080\n');
    const { engine, file, record } = await backUp(dir);
    const unpacked = mkdtempSync(path.join(tmpdir(), 'twisterlab-unpacked-'));
    try {
      execFileSync('tar', ['-xzf', file, '-C', unpacked]);
      execFileSync('tar', ['-czf', file, '-C', unpacked, 'manifest.json', 'data']);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
    writeFileSync(path.join(dir, 'app.conf'), 'port=broken\n');
    await engine.restore(record, file, signal());
    expect(readFileSync(path.join(dir, 'app.conf'), 'utf8')).toBe('port=8080\n');
  });

  it('refuses an archive whose file no longer matches the manifest, before writing anything', async () => {
    const dir = path.join(root, 'site');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.conf'), 'a=1\n');
    writeFileSync(path.join(dir, 'b.conf'), 'b=1\n');
    const { engine, file, record } = await backUp(dir);
    const unpacked = mkdtempSync(path.join(tmpdir(), 'twisterlab-unpacked-'));
    try {
      execFileSync('tar', ['-xzf', file, '-C', unpacked]);
      writeFileSync(path.join(unpacked, 'data', 'b.conf'), 'b=tampered\n');
      execFileSync('tar', ['-czf', file, '-C', unpacked, 'data', 'manifest.json']);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
    writeFileSync(path.join(dir, 'a.conf'), 'a=changed\n');
    await expect(engine.restore(record, file, signal())).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringMatching(/b\.conf/),
    });
    expect(readFileSync(path.join(dir, 'a.conf'), 'utf8')).toBe('a=changed\n');
  });

  it('refuses a truncated archive as corrupt and leaves the tree alone', async () => {
    const dir = path.join(root, 'site');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.conf'), randomBytes(200_000).toString('hex'));
    const { engine, file, record } = await backUp(dir);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    writeFileSync(path.join(dir, 'a.conf'), 'changed');
    await expect(engine.restore(record, file, signal())).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
    expect(readFileSync(path.join(dir, 'a.conf'), 'utf8')).toBe('changed');
  });

  it('leaves no archive behind when the backup cannot be taken', async () => {
    const dir = path.join(root, 'site');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.conf'), 'a');
    const engine = createFilesEngine({ trees, roots: [root] });
    const resolved = await engine.resolve({ target: dir, deviceId: 'local' }, signal());
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    const file = path.join(dataDir, 'backups', 'b2.tar.gz');
    await expect(engine.dump(resolved, file, controller.signal)).rejects.toThrow();
    const backups = path.join(dataDir, 'backups');
    expect(existsSync(backups) ? readdirSync(backups) : []).toEqual([]);
  });
});
