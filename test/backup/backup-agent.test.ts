// The backup agent through a whole runtime on real components: files on this machine, a PostgreSQL database
// with pg_dump/pg_restore, Redis keys with their TTLs. Each round trip changes data after the backup and checks
// that restore brings back exactly the saved state.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, POSTGRES_SERVER, randomDatabaseName } from '../store/backends.ts';
import { BACKENDS, startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let rt: TestRuntime;
let root: string;
let outside: string;
let database: string;
const prefix = `tl-backup-${randomBytes(4).toString('hex')}:`;
const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };
const invoke = (id: string, input: unknown) =>
  rt.runtime.registry.invoke(id, input, { actor: 'test' }) as Promise<Result>;
const output = async (id: string, input: unknown) => {
  const result = await invoke(id, input);
  if (!result.ok) throw new Error(`${id}: ${result.error.code} ${result.error.message}`);
  return result.output;
};

async function pg<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: `${POSTGRES_SERVER}/${database}` });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'twisterlab-roots-'));
  outside = mkdtempSync(path.join(tmpdir(), 'twisterlab-outside-'));
  database = randomDatabaseName('twisterlab_bk');
  await adminQuery(`create database ${database}`);
  await redis.connect();
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_BACKUP_ROOTS: `${root}:/nonexistent-root`,
    TWISTERLAB_BACKUP_KEEP: '2',
    TWISTERLAB_SERVICES: `appdb=postgres://postgres@127.0.0.1:5432/${database},cache=redis://127.0.0.1:6379`,
  });
});

afterAll(async () => {
  await rt?.close();
  await adminQuery(`drop database if exists ${database} with (force)`);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function makeTree(dir: string) {
  mkdirSync(path.join(dir, 'conf.d', 'deep'), { recursive: true });
  writeFileSync(path.join(dir, 'app.conf'), 'port=8080\n');
  writeFileSync(path.join(dir, 'conf.d', 'deep', `${'long-name-'.repeat(12)}.conf`), 'x'.repeat(5000));
  writeFileSync(path.join(dir, 'secret.key'), 'k');
  chmodSync(path.join(dir, 'secret.key'), 0o600);
}

describe('file backups on this machine', () => {
  it('restores a directory to exactly the saved state: content, modes, and files added since removed', async () => {
    const dir = path.join(root, 'site');
    makeTree(dir);
    const taken = await output('backup.create_backup', { target: dir, backup_type: 'files' });
    expect(taken).toMatchObject({ backup_type: 'files', target: dir, device_id: 'local', details: { files: 3 } });
    expect(taken.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(taken.path.startsWith(path.join(rt.dataDir, 'backups'))).toBe(true);
    expect(statSync(taken.path).size).toBe(taken.size);

    writeFileSync(path.join(dir, 'app.conf'), 'port=broken\n');
    rmSync(path.join(dir, 'conf.d'), { recursive: true });
    writeFileSync(path.join(dir, 'intruder.txt'), 'new');
    chmodSync(path.join(dir, 'secret.key'), 0o644);

    const restored = await output('backup.restore_backup', { backup_id: taken.backup_id });
    expect(restored).toMatchObject({ verified: true, details: { files_restored: 3, files_removed: 1 } });
    expect(readFileSync(path.join(dir, 'app.conf'), 'utf8')).toBe('port=8080\n');
    expect(readFileSync(path.join(dir, 'conf.d', 'deep', `${'long-name-'.repeat(12)}.conf`), 'utf8')).toBe(
      'x'.repeat(5000),
    );
    expect(existsSync(path.join(dir, 'intruder.txt'))).toBe(false);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).some((n) => n.includes('.twisterlab-tmp-'))).toBe(false);
  });

  it('refuses traversal, encoded traversal, NUL bytes, relative paths and links that leave the roots', async () => {
    writeFileSync(path.join(outside, 'passwd'), 'root:x');
    symlinkSync(outside, path.join(root, 'escape'));
    const attempts = [
      `${root}/../${path.basename(outside)}`,
      `${root}/%2e%2e/etc`,
      `${root}/%252e%252e/etc`,
      `${root}/a\u0000b`,
      'etc/passwd',
      outside,
      path.join(root, 'escape'),
      path.join(root, 'escape', 'passwd'),
      '/etc',
    ];
    for (const target of attempts) {
      const result = await invoke('backup.create_backup', { target, backup_type: 'files' });
      // A NUL byte is refused at the edge, before any path is looked at (text-guard); the rest by the path guard.
      expect(result.ok ? 'accepted' : result.error.code, target).toBe(
        target.includes('\u0000') ? 'VALIDATION_FAILED' : 'PATH_NOT_ALLOWED',
      );
    }
    const listed = await output('backup.list_backups', { backup_type: 'files' });
    expect(listed.backups.every((b: { target: string }) => b.target.startsWith(root))).toBe(true);
  });

  it('reports a backup whose file is corrupt or missing, and refuses to restore it', async () => {
    const dir = path.join(root, 'fragile');
    makeTree(dir);
    const taken = await output('backup.create_backup', { target: dir, backup_type: 'files' });
    const bytes = readFileSync(taken.path);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    writeFileSync(taken.path, bytes);
    let listed = await output('backup.list_backups', { target: dir });
    expect(listed.backups[0]).toMatchObject({ backup_id: taken.backup_id, state: 'corrupt' });
    writeFileSync(path.join(dir, 'app.conf'), 'changed');
    const refused = await invoke('backup.restore_backup', { backup_id: taken.backup_id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BACKUP_CORRUPT' } });
    expect(readFileSync(path.join(dir, 'app.conf'), 'utf8')).toBe('changed');
    rmSync(taken.path);
    listed = await output('backup.list_backups', { target: dir });
    expect(listed.backups[0]).toMatchObject({ state: 'missing' });
    expect(await invoke('backup.restore_backup', { backup_id: 'f0000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'BACKUP_NOT_FOUND' },
    });
  });

  it('keeps only the newest backups of a target (TWISTERLAB_BACKUP_KEEP) and deletes the files of the others', async () => {
    const file = path.join(root, 'single.conf');
    writeFileSync(file, 'v1');
    const first = await output('backup.create_backup', { target: file, backup_type: 'files' });
    await output('backup.create_backup', { target: file, backup_type: 'files' });
    const third = await output('backup.create_backup', { target: file, backup_type: 'files' });
    const listed = await output('backup.list_backups', { target: file });
    expect(listed.backups).toHaveLength(2);
    expect(listed.backups[0].backup_id).toBe(third.backup_id);
    expect(existsSync(first.path)).toBe(false);
    writeFileSync(file, 'v2');
    await output('backup.restore_backup', { backup_id: third.backup_id });
    expect(readFileSync(file, 'utf8')).toBe('v1');
  });
});

describe('PostgreSQL backups (pg_dump custom format)', () => {
  it('brings rows changed, deleted and added after the backup back to the saved state', async () => {
    await pg('create table orders (id int primary key, total numeric not null)');
    await pg('insert into orders values (1, 10.5), (2, 20), (3, 30)');
    const taken = await output('backup.create_backup', { target: 'appdb', backup_type: 'postgres' });
    expect(taken).toMatchObject({ target: 'appdb', details: { source: 'service' } });
    await pg('update orders set total = 0 where id = 1');
    await pg('delete from orders where id = 2');
    await pg('insert into orders values (4, 40)');
    const restored = await output('backup.restore_backup', { backup_id: taken.backup_id });
    expect(restored.verified).toBe(true);
    expect(await pg('select id, total::text from orders order by id')).toEqual([
      { id: 1, total: '10.5' },
      { id: 2, total: '20' },
      { id: 3, total: '30' },
    ]);
  });

  it('refuses a URL that carries a password, so no secret is ever recorded', async () => {
    const result = await invoke('backup.create_backup', {
      target: `postgres://postgres:hunter2@127.0.0.1:5432/${database}`,
      backup_type: 'postgres',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('Redis backups (DUMP with TTLs)', () => {
  it('restores the values and TTLs of the matching keys and removes keys added since', async () => {
    await redis.set(`${prefix}a`, 'alpha');
    await redis.set(`${prefix}ttl`, 'expiring', 'PX', 600_000);
    await redis.hset(`${prefix}h`, { f1: 'v1', f2: 'v2' });
    await redis.set('tl-unrelated-key', 'untouched');
    const taken = await output('backup.create_backup', {
      target: 'cache',
      backup_type: 'redis',
      pattern: `${prefix}*`,
    });
    expect(taken.details).toMatchObject({ keys: 3, pattern: `${prefix}*` });
    await redis.set(`${prefix}a`, 'changed');
    await redis.del(`${prefix}h`);
    await redis.set(`${prefix}new`, 'added');
    await redis.set('tl-unrelated-key', 'changed-elsewhere');
    await output('backup.restore_backup', { backup_id: taken.backup_id });
    expect(await redis.get(`${prefix}a`)).toBe('alpha');
    expect(await redis.hgetall(`${prefix}h`)).toEqual({ f1: 'v1', f2: 'v2' });
    expect(await redis.exists(`${prefix}new`)).toBe(0);
    const ttl = await redis.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(500_000);
    expect(await redis.pttl(`${prefix}a`)).toBe(-1);
    expect(await redis.get('tl-unrelated-key')).toBe('changed-elsewhere');
    await redis.del('tl-unrelated-key');
  });
});

describe.each(BACKENDS)('the backups table on %s', (backend) => {
  it('records a backup and lists it back with its state', async () => {
    const dir = mkdtempSync(path.join(root, 'rec-'));
    writeFileSync(path.join(dir, 'a'), 'a');
    const other = await startTestRuntime(backend, { TWISTERLAB_BACKUP_ROOTS: root });
    try {
      const call = (id: string, input: unknown) =>
        other.runtime.registry.invoke(id, input, { actor: 'test' }) as Promise<Result>;
      const taken = await call('backup.create_backup', { target: dir, backup_type: 'files' });
      expect(taken.ok).toBe(true);
      const listed = await call('backup.list_backups', {});
      expect(listed).toMatchObject({
        ok: true,
        output: { backups: [{ target: dir, state: 'ok', size: taken.ok ? taken.output.size : -1 }] },
      });
    } finally {
      await other.close();
    }
  });
});
