// The files agent on real file systems: this machine's and a device's over SFTP on a real sshd. Rotation
// archives exactly what the file held (gunzip gives it back), keeps N archives, truncates the live file while a
// writer keeps appending to it, and leaves links and non-matching files alone; usage matches what df sees.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd, writeEdgeInventory } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let sshd: TestSshd;
let rt: TestRuntime;
let root: string;
let outside: string;

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };
const invoke = (id: string, input: unknown) =>
  rt.runtime.registry.invoke(id, input, { actor: 'test' }) as Promise<Result>;
const output = async (id: string, input: unknown) => {
  const result = await invoke(id, input);
  if (!result.ok) throw new Error(`${id}: ${result.error.code} ${result.error.message}`);
  return result.output;
};

/** Log lines with a counter, so every byte is distinct from its neighbours and a lost or doubled line shows. */
function logText(prefix: string, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const line = `${prefix} ${String(i).padStart(7, '0')} GET /api/v1/items?id=${(i * 7919) % 100_003} 200 ${(i * 31) % 997}ms\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

beforeAll(async () => {
  sshd = await startTestSshd({ extraConfig: ['Subsystem sftp internal-sftp'], logCommands: false });
  root = path.join(sshd.dir, 'roots');
  outside = path.join(sshd.dir, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeEdgeInventory(inventory, sshd);
  rt = await startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_BACKUP_ROOTS: root });
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
});

/** A log directory with a big log, its five archives, a small log, a big non-matching file and a link to a big file outside. */
function logDir(name: string) {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const content = logText('before', 3 * 1024 * 1024);
  writeFileSync(path.join(dir, 'app.log'), content);
  for (let n = 1; n <= 5; n += 1) writeFileSync(path.join(dir, `app.log.${n}.gz`), gzipSync(`archive ${n}\n`));
  writeFileSync(path.join(dir, 'small.log'), 'tiny\n');
  writeFileSync(path.join(dir, 'notes.txt'), logText('notes', 2 * 1024 * 1024));
  const target = path.join(outside, `${name}-target.log`);
  writeFileSync(target, logText('victim', 2 * 1024 * 1024));
  symlinkSync(target, path.join(dir, 'link.log'));
  return {
    dir,
    content,
    target,
    targetContent: readFileSync(target, 'utf8'),
    notes: readFileSync(path.join(dir, 'notes.txt'), 'utf8'),
  };
}

async function rotatesWithAWriterAttached(deviceId: string) {
  const fixture = logDir(`rotate-${deviceId}`);
  const { dir } = fixture;
  const live = path.join(dir, 'app.log');
  // The writer the service would be: the file open for appending, before and after the rotation.
  const writer = openSync(live, 'a');
  const oldestSize = lstatSync(path.join(dir, 'app.log.5.gz')).size;
  const result = await output('files.rotate_logs', { device_id: deviceId, path: dir });
  writeSync(writer, 'after rotation\n');
  closeSync(writer);

  expect(result.rotated).toEqual([
    {
      file: live,
      bytes_before: fixture.content.length,
      archive: `${live}.1.gz`,
      archive_bytes: lstatSync(`${live}.1.gz`).size,
    },
  ]);
  expect(gunzipSync(readFileSync(`${live}.1.gz`)).toString('utf8')).toBe(fixture.content);
  // Shifted up one, the fifth dropped (keep 5).
  for (let n = 2; n <= 5; n += 1)
    expect(gunzipSync(readFileSync(`${live}.${n}.gz`)).toString('utf8')).toBe(`archive ${n - 1}\n`);
  expect(existsSync(`${live}.6.gz`)).toBe(false);
  expect(result.removed).toEqual([`${live}.5.gz`]);
  expect(result.freed_bytes).toBe(fixture.content.length - result.rotated[0].archive_bytes + oldestSize);
  // The live file starts again from zero, with what the writer wrote since.
  expect(readFileSync(live, 'utf8')).toBe('after rotation\n');
  // Untouched: the small log, the non-matching file, the link and the file it points to.
  expect(readFileSync(path.join(dir, 'small.log'), 'utf8')).toBe('tiny\n');
  expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe(fixture.notes);
  expect(lstatSync(path.join(dir, 'link.log')).isSymbolicLink()).toBe(true);
  expect(readFileSync(fixture.target, 'utf8')).toBe(fixture.targetContent);
  expect(result.skipped).toEqual([{ file: path.join(dir, 'link.log'), reason: 'a symbolic link: never followed' }]);
  expect(readdirSync(dir).filter((n) => n.includes('.twisterlab-tmp-'))).toEqual([]);
  return fixture;
}

describe('files.rotate_logs', () => {
  it('gzips, shifts archives, truncates the live file under an open writer, and leaves links and other files alone', async () => {
    await rotatesWithAWriterAttached('local');
  });

  it('keeps only `keep` archives on the next rotation', async () => {
    const dir = path.join(root, 'rotate-keep');
    mkdirSync(dir);
    const live = path.join(dir, 'api.log');
    const rounds: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      rounds.push(logText(`round${round}`, 64 * 1024));
      writeFileSync(live, rounds.at(-1)!);
      const result = await output('files.rotate_logs', { path: dir, min_bytes: 1024, keep: 2 });
      expect(result.rotated).toHaveLength(1);
    }
    expect(readdirSync(dir).sort()).toEqual(['api.log', 'api.log.1.gz', 'api.log.2.gz']);
    expect(gunzipSync(readFileSync(`${live}.1.gz`)).toString('utf8')).toBe(rounds[2]);
    expect(gunzipSync(readFileSync(`${live}.2.gz`)).toString('utf8')).toBe(rounds[1]);
    expect(readFileSync(live, 'utf8')).toBe('');
  });

  it('rotates only what the pattern names, and nothing below min_bytes', async () => {
    const dir = path.join(root, 'rotate-pattern');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'worker-1.out'), logText('w1', 4096));
    writeFileSync(path.join(dir, 'worker-2.out'), 'x');
    writeFileSync(path.join(dir, 'app.log'), logText('app', 4096));
    const result = await output('files.rotate_logs', { path: dir, pattern: 'worker-?.out', min_bytes: 100 });
    expect(result.rotated.map((r: { file: string }) => path.basename(r.file))).toEqual(['worker-1.out']);
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'worker-1.out', 'worker-1.out.1.gz', 'worker-2.out']);
  });

  it('refuses directories outside the roots, also through a link, and patterns with a slash', async () => {
    writeFileSync(path.join(outside, 'x.log'), logText('x', 2 * 1024 * 1024));
    symlinkSync(outside, path.join(root, 'escape'));
    for (const target of [outside, path.join(root, 'escape'), `${root}/../outside`]) {
      expect(await invoke('files.rotate_logs', { path: target, min_bytes: 0 })).toMatchObject({
        ok: false,
        error: { code: 'PATH_NOT_ALLOWED' },
      });
    }
    expect(await invoke('files.rotate_logs', { path: root, pattern: '../outside/*.log' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(readdirSync(outside)).not.toContain('x.log.1.gz');
  });

  it('rotates on an SSH device over SFTP, a writer still attached', async () => {
    await rotatesWithAWriterAttached('edge');
  });

  it('is rated a change', () => {
    expect(rt.runtime.registry.riskOf('files.rotate_logs', { path: '/x' })).toBe('change');
  });
});

describe('files.directory_usage', () => {
  let dir: string;
  const mtime = new Date('2024-03-01T10:20:30.000Z');

  beforeAll(() => {
    dir = path.join(root, 'usage');
    mkdirSync(path.join(dir, 'a/b'), { recursive: true });
    writeFileSync(path.join(dir, 'a/one.bin'), Buffer.alloc(100, 1));
    writeFileSync(path.join(dir, 'a/b/two.bin'), Buffer.alloc(5000, 2));
    writeFileSync(path.join(dir, 'three.bin'), Buffer.alloc(300, 3));
    appendFileSync(path.join(outside, 'huge.bin'), Buffer.alloc(1_000_000, 4));
    symlinkSync(path.join(outside, 'huge.bin'), path.join(dir, 'huge-link'));
    symlinkSync(outside, path.join(dir, 'dir-link'));
    utimesSync(path.join(dir, 'a/b/two.bin'), mtime, mtime);
  });

  /** df's own view of the directory: mount point, Use% (the same rounding), sizes from statfs. */
  function dfView(target: string) {
    const [, line] = execFileSync('df', ['--output=target,pcent', target], { encoding: 'utf8' }).trim().split('\n');
    const [mount, pcent] = line!.trim().split(/\s+/);
    const s = statfsSync(target);
    return { mount, usePercent: Number(pcent!.replace('%', '')), size: s.blocks * s.bsize };
  }

  for (const deviceId of ['local', 'edge']) {
    it(`sums the files under a directory without following links, largest first (${deviceId})`, async () => {
      const result = await output('files.directory_usage', { device_id: deviceId, path: dir, top: 2 });
      expect(result).toMatchObject({
        path: dir,
        bytes: 5400,
        files: 3,
        directories: 2,
        truncated: false,
        unreadable: [],
      });
      expect(result.largest).toEqual([
        { path: path.join(dir, 'a/b/two.bin'), bytes: 5000, modified_at: mtime.toISOString() },
        { path: path.join(dir, 'three.bin'), bytes: 300, modified_at: expect.any(String) },
      ]);
      const df = dfView(dir);
      expect(result.filesystem.mount).toBe(df.mount);
      expect(result.filesystem.size_bytes).toBe(df.size);
      expect(Math.abs(result.filesystem.use_percent - df.usePercent)).toBeLessThanOrEqual(1);
      expect(result.filesystem.available_bytes).toBeGreaterThan(0);
    });
  }

  it('refuses a path outside the roots, and a file that is not a directory', async () => {
    expect(await invoke('files.directory_usage', { path: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'PATH_NOT_ALLOWED' },
    });
    expect(await invoke('files.directory_usage', { path: path.join(dir, 'dir-link') })).toMatchObject({
      ok: false,
      error: { code: 'PATH_NOT_ALLOWED' },
    });
    expect(await invoke('files.directory_usage', { path: path.join(dir, 'three.bin') })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
