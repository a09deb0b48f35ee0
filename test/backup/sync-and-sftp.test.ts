// The sync agent and file backups on real file systems: this machine's, and a device's over SFTP on a real
// sshd (the device's pooled connection). Syncs move only changed files, delete only when asked, and an
// interrupted transfer leaves every destination file whole (old or new) and no temp file behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, watch } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd, writeEdgeInventory } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let sshd: TestSshd;
let rt: TestRuntime;
let root: string;

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };
const invoke = (id: string, input: unknown, signal?: AbortSignal) =>
  rt.runtime.registry.invoke(id, input, { actor: 'test', ...(signal ? { signal } : {}) }) as Promise<Result>;
const output = async (id: string, input: unknown) => {
  const result = await invoke(id, input);
  if (!result.ok) throw new Error(`${id}: ${result.error.code} ${result.error.message}`);
  return result.output;
};
const tempFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((n) => n.includes('.twisterlab-tmp-'));

function tree(dir: string, files: Record<string, string>) {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

beforeAll(async () => {
  // internal-sftp, and no forced command (it would replace the sftp subsystem).
  sshd = await startTestSshd({ extraConfig: ['Subsystem sftp internal-sftp'], logCommands: false });
  root = path.join(sshd.dir, 'roots');
  mkdirSync(root);
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeEdgeInventory(inventory, sshd, ['    maxConcurrency: 1']);
  rt = await startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_BACKUP_ROOTS: root });
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
});

describe('sync.sync_data on this machine', () => {
  it('copies new and changed files only, lists extraneous ones, and deletes them only when asked', async () => {
    const src = path.join(root, 'l-src');
    const dst = path.join(root, 'l-dst');
    tree(src, { 'same.txt': 'same', 'changed.txt': 'new content', 'sub/new.txt': 'fresh' });
    tree(dst, { 'same.txt': 'same', 'changed.txt': 'old content', 'stale.txt': 'stale' });

    const dry = await output('sync.sync_data', { source: src, destination: dst, dry_run: true, delete: true });
    expect(dry).toMatchObject({
      dry_run: true,
      files_copied: 2,
      files_unchanged: 1,
      files_deleted: 1,
      deleted: ['stale.txt'],
    });
    expect(readFileSync(path.join(dst, 'changed.txt'), 'utf8')).toBe('old content');
    expect(existsSync(path.join(dst, 'sub'))).toBe(false);

    const first = await output('sync.sync_data', { source: src, destination: dst });
    expect(first.copied).toEqual([
      { path: 'changed.txt', bytes: 11, reason: 'changed' },
      { path: 'sub/new.txt', bytes: 5, reason: 'new' },
    ]);
    expect(first).toMatchObject({ files_unchanged: 1, bytes_copied: 16, files_deleted: 0, extraneous: ['stale.txt'] });
    expect(existsSync(path.join(dst, 'stale.txt'))).toBe(true);

    const second = await output('sync.sync_data', { source: src, destination: dst, delete: true });
    expect(second).toMatchObject({ files_copied: 0, files_unchanged: 3, deleted: ['stale.txt'] });
    expect(existsSync(path.join(dst, 'stale.txt'))).toBe(false);
    expect(readFileSync(path.join(dst, 'sub/new.txt'), 'utf8')).toBe('fresh');
  });

  it('rates each call by what it does: dry run read, copy change, copy with deletions destructive', () => {
    const risk = (input: object) =>
      rt.runtime.registry.riskOf('sync.sync_data', { source: '/a', destination: '/b', ...input });
    expect([risk({ dry_run: true }), risk({}), risk({ delete: true })]).toEqual(['read', 'change', 'destructive']);
  });

  it('leaves the old file whole and no temp file behind when a transfer is interrupted', async () => {
    const src = path.join(root, 'i-src');
    const dst = path.join(root, 'i-dst');
    tree(src, { 'big.bin': 'n'.repeat(48 * 1024 * 1024) });
    tree(dst, { 'big.bin': 'old' });
    const controller = new AbortController();
    // Cancel the moment the temp file of the transfer appears: the write is under way.
    const watcher = watch(dst, (_event, name) => {
      if (String(name).includes('.twisterlab-tmp-')) controller.abort();
    });
    const result = await invoke('sync.sync_data', { source: src, destination: dst }, controller.signal);
    watcher.close();
    expect(controller.signal.aborted).toBe(true);
    expect(result.ok).toBe(false);
    expect(readFileSync(path.join(dst, 'big.bin'), 'utf8')).toBe('old');
    // The registry answers at once on a cancel; the capability removes its temp file as it unwinds.
    await expect.poll(() => tempFiles(dst), { timeout: 5_000 }).toEqual([]);
    expect(readFileSync(path.join(dst, 'big.bin'), 'utf8')).toBe('old');
  });

  it('refuses a source or destination outside the roots', async () => {
    const result = await invoke('sync.sync_data', { source: '/etc', destination: path.join(root, 'x') });
    expect(result).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
  });
});

describe('over SFTP on an SSH device', () => {
  it('backs up a directory on the device and restores it after it changed there', async () => {
    const dir = path.join(root, 'remote-site');
    tree(dir, { 'a.conf': 'a=1', 'nested/b.conf': 'b=2' });
    const taken = await output('backup.create_backup', { target: dir, backup_type: 'files', device_id: 'edge' });
    expect(taken).toMatchObject({ device_id: 'edge', details: { files: 2 } });
    writeFileSync(path.join(dir, 'a.conf'), 'a=broken');
    writeFileSync(path.join(dir, 'added.conf'), 'x');
    await output('backup.restore_backup', { backup_id: taken.backup_id });
    expect(readFileSync(path.join(dir, 'a.conf'), 'utf8')).toBe('a=1');
    expect(existsSync(path.join(dir, 'added.conf'))).toBe(false);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('refuses a device path that leaves the roots, resolved on the device', async () => {
    const result = await invoke('backup.create_backup', {
      target: `${root}/../`,
      backup_type: 'files',
      device_id: 'edge',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    const outside = await invoke('backup.create_backup', { target: sshd.dir, backup_type: 'files', device_id: 'edge' });
    expect(outside).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
  });

  it('syncs from this machine to the device and back, changed files only', async () => {
    const local = path.join(root, 's-local');
    const remote = path.join(root, 's-remote');
    tree(local, { 'one.txt': '1', 'two.txt': '2' });
    const push = await output('sync.sync_data', { source: local, destination: remote, destination_device: 'edge' });
    expect(push).toMatchObject({ files_copied: 2, bytes_copied: 2 });
    writeFileSync(path.join(local, 'two.txt'), '22');
    const again = await output('sync.sync_data', { source: local, destination: remote, destination_device: 'edge' });
    expect(again).toMatchObject({
      files_copied: 1,
      files_unchanged: 1,
      copied: [{ path: 'two.txt', reason: 'changed' }],
    });
    const back = path.join(root, 's-back');
    const pull = await output('sync.sync_data', { source: remote, destination: back, source_device: 'edge' });
    expect(pull.files_copied).toBe(2);
    expect(readFileSync(path.join(back, 'two.txt'), 'utf8')).toBe('22');
    rmSync(back, { recursive: true });
  });
});
