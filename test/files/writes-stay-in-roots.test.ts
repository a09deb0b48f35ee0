// No agent writes outside its roots through a link: sync, restore, rotation and backup archives, on this machine
// and on a device over SFTP (a real sshd). Links sit at every depth of the destination (its top, a middle
// directory, the file itself), dangle, or point inside the roots; the real file system is checked afterwards.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

function tree(dir: string, files: Record<string, string>) {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

/** Everything under `outside`, so a test sees any file that appeared there. */
const outsideNow = () => readdirSync(outside, { recursive: true }).map(String).sort();

beforeAll(async () => {
  sshd = await startTestSshd({ extraConfig: ['Subsystem sftp internal-sftp'], logCommands: false });
  root = path.join(sshd.dir, 'roots');
  mkdirSync(root);
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeEdgeInventory(inventory, sshd);
  rt = await startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_BACKUP_ROOTS: root });
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
});

beforeEach(() => {
  outside = mkdtempSync(path.join(sshd.dir, 'outside-'));
  writeFileSync(path.join(outside, 'victim.txt'), 'untouched');
});

describe.each(['local', 'edge'])('sync.sync_data into a destination holding links (%s)', (device) => {
  const sync = (source: string, destination: string, extra: object = {}) =>
    output('sync.sync_data', { source, destination, destination_device: device, ...extra });

  it('never writes through a link at a middle directory or at the file itself, dangling or not', async () => {
    const src = mkdtempSync(path.join(root, 'src-'));
    const dst = mkdtempSync(path.join(root, 'dst-'));
    tree(src, {
      'target/evil.txt': 'evil',
      'a/b/c/evil.txt': 'evil',
      'victim.txt': 'evil',
      'created.txt': 'evil',
      'gone/evil.txt': 'evil',
      'fine/ok.txt': 'ok',
    });
    mkdirSync(path.join(dst, 'a'));
    symlinkSync(outside, path.join(dst, 'target'));
    symlinkSync(outside, path.join(dst, 'a/b'));
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dst, 'victim.txt'));
    symlinkSync(path.join(outside, 'created.txt'), path.join(dst, 'created.txt'));
    symlinkSync(path.join(outside, 'gone'), path.join(dst, 'gone'));

    const report = await sync(src, dst);
    expect(report.copied).toEqual([{ path: 'fine/ok.txt', bytes: 2, reason: 'new' }]);
    expect(report.skipped.map((s: { path: string }) => s.path).sort()).toEqual([
      'a/b/c/evil.txt',
      'created.txt',
      'gone/evil.txt',
      'target/evil.txt',
      'victim.txt',
    ]);
    expect(outsideNow()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
    expect(readFileSync(path.join(dst, 'fine/ok.txt'), 'utf8')).toBe('ok');
  });

  it('deletes a link the source lacks without touching what it points to', async () => {
    const src = mkdtempSync(path.join(root, 'src-'));
    const dst = mkdtempSync(path.join(root, 'dst-'));
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dst, 'stale-file'));
    symlinkSync(outside, path.join(dst, 'stale-dir'));
    const report = await sync(src, dst, { delete: true });
    expect(report.deleted.sort()).toEqual(['stale-dir', 'stale-file']);
    expect(readdirSync(dst)).toEqual([]);
    expect(outsideNow()).toEqual(['victim.txt']);
  });

  it('refuses a destination whose top is a link out of the roots, and follows one that stays inside them', async () => {
    const src = mkdtempSync(path.join(root, 'src-'));
    tree(src, { 'one.txt': '1' });
    const escape = path.join(root, `escape-${device}`);
    symlinkSync(outside, escape);
    expect(
      await invoke('sync.sync_data', { source: src, destination: escape, destination_device: device }),
    ).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    expect(
      await invoke('sync.sync_data', {
        source: src,
        destination: path.join(escape, 'new'),
        destination_device: device,
      }),
    ).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    const real = mkdtempSync(path.join(root, 'real-'));
    const alias = path.join(root, `alias-${device}`);
    symlinkSync(real, alias);
    expect(await sync(src, alias)).toMatchObject({ destination: real, files_copied: 1 });
    expect(readFileSync(path.join(real, 'one.txt'), 'utf8')).toBe('1');
    expect(outsideNow()).toEqual(['victim.txt']);
  });

  it('does not follow a link below the destination even when it points inside the roots', async () => {
    const src = mkdtempSync(path.join(root, 'src-'));
    const dst = mkdtempSync(path.join(root, 'dst-'));
    const elsewhere = mkdtempSync(path.join(root, 'elsewhere-'));
    tree(src, { 'inner/file.txt': 'x' });
    symlinkSync(elsewhere, path.join(dst, 'inner'));
    const report = await sync(src, dst);
    expect(report.skipped).toEqual([
      { path: 'inner/file.txt', reason: 'destination holds a symlink at inner: never written through' },
    ]);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe.each(['local', 'edge'])('backup.restore_backup into a tree where links were planted (%s)', (device) => {
  const take = (target: string) => output('backup.create_backup', { target, backup_type: 'files', device_id: device });
  const restore = (id: string) => invoke('backup.restore_backup', { backup_id: id });

  it('refuses, before changing anything, when a saved directory became a link out of the tree', async () => {
    const dir = mkdtempSync(path.join(root, 'site-'));
    tree(dir, { 'a.conf': 'a=1', 'nested/b.conf': 'b=2' });
    const taken = await take(dir);
    writeFileSync(path.join(dir, 'a.conf'), 'a=changed');
    rmSync(path.join(dir, 'nested'), { recursive: true });
    symlinkSync(outside, path.join(dir, 'nested'));
    expect(await restore(taken.backup_id)).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    expect(outsideNow()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(dir, 'a.conf'), 'utf8')).toBe('a=changed');
  });

  it('replaces a file that became a link, and a link on the saved root, without writing through either', async () => {
    const dir = mkdtempSync(path.join(root, 'site-'));
    tree(dir, { 'a.conf': 'a=1' });
    const dirBackup = await take(dir);
    const single = path.join(root, `single-${device}.conf`);
    writeFileSync(single, 'saved');
    const fileBackup = await take(single);

    rmSync(path.join(dir, 'a.conf'));
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'a.conf'));
    symlinkSync(path.join(outside, 'made.txt'), path.join(dir, 'dangling'));
    rmSync(single);
    symlinkSync(path.join(outside, 'victim.txt'), single);
    await output('backup.restore_backup', { backup_id: dirBackup.backup_id });
    await output('backup.restore_backup', { backup_id: fileBackup.backup_id });
    expect(lstatSync(path.join(dir, 'a.conf')).isFile()).toBe(true);
    expect(readFileSync(path.join(dir, 'a.conf'), 'utf8')).toBe('a=1');
    expect(existsSync(path.join(dir, 'dangling'))).toBe(false);
    expect(lstatSync(single).isFile()).toBe(true);
    expect(readFileSync(single, 'utf8')).toBe('saved');

    // The saved root itself swapped for a link, inside the roots: refused, not followed.
    const moved = `${dir}-moved`;
    renameSync(dir, moved);
    symlinkSync(moved, dir);
    expect(await restore(dirBackup.backup_id)).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    expect(outsideNow()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
  });
});

describe.each(['local', 'edge'])('files.rotate_logs beside links (%s)', (device) => {
  it('leaves archives that are links, dangling or not, and writes nothing where they point', async () => {
    const dir = mkdtempSync(path.join(root, 'logs-'));
    writeFileSync(path.join(dir, 'app.log'), 'x'.repeat(4096));
    symlinkSync(path.join(outside, 'app.log.1.gz'), path.join(dir, 'app.log.1.gz'));
    writeFileSync(path.join(dir, 'api.log'), 'y'.repeat(4096));
    writeFileSync(path.join(dir, 'api.log.1.gz'), gzipSync('old'));
    symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'api.log.2.gz'));
    const alias = path.join(root, `logs-alias-${device}`);
    symlinkSync(dir, alias);
    const result = await output('files.rotate_logs', { device_id: device, path: alias, min_bytes: 1 });
    expect(result.path).toBe(dir);
    expect(result.rotated).toEqual([]);
    expect(result.skipped.map((s: { file: string }) => path.basename(s.file)).sort()).toEqual(['api.log', 'app.log']);
    expect(outsideNow()).toEqual(['victim.txt']);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
  });
});

describe('backup archives in the data directory', () => {
  it('are not written through a link planted in place of the backups directory', async () => {
    const dir = mkdtempSync(path.join(root, 'archived-'));
    tree(dir, { 'a.conf': 'a=1' });
    const backups = path.join(rt.dataDir, 'backups');
    mkdirSync(backups, { recursive: true });
    renameSync(backups, `${backups}.real`);
    symlinkSync(outside, backups);
    try {
      expect(await invoke('backup.create_backup', { target: dir, backup_type: 'files' })).toMatchObject({
        ok: false,
        error: { code: 'PATH_NOT_ALLOWED' },
      });
      expect(outsideNow()).toEqual(['victim.txt']);
    } finally {
      rmSync(backups);
      renameSync(`${backups}.real`, backups);
    }
    expect(await output('backup.create_backup', { target: dir, backup_type: 'files' })).toMatchObject({
      details: { files: 1 },
    });
  });
});
