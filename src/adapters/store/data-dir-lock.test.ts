import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import { acquireDataDirLock, LOCK_FILE_NAME } from './data-dir-lock.ts';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    ...silentLogger,
    warnings,
    warn: (obj: object | string, msg?: string) => {
      warnings.push(msg ?? String(obj));
    },
  };
  return logger as Logger & { warnings: string[] };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? 0;
}

describe('acquireDataDirLock', () => {
  let dir: string;
  let lockPath: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twisterlab-lock-'));
    lockPath = path.join(dir, LOCK_FILE_NAME);
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeLock = (owner: object) => fs.writeFileSync(lockPath, JSON.stringify(owner));
  const readLock = () =>
    JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { pid: number; hostname: string; startedAt: string };

  it('writes our pid, host and start time into the lock file and removes it on release, once', () => {
    const lock = acquireDataDirLock(path.join(dir, 'nested'), silentLogger);
    expect(JSON.parse(fs.readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    lock.release();
    lock.release();
    expect(fs.existsSync(lock.path)).toBe(false);
    acquireDataDirLock(path.join(dir, 'nested'), silentLogger).release();
  });

  it('refuses a second lock on the same directory from this process while the first is held', () => {
    const lock = acquireDataDirLock(dir, silentLogger);
    try {
      expect(() => acquireDataDirLock(dir, silentLogger)).toThrow(
        expect.objectContaining({
          code: 'STORE_LOCKED',
          message: expect.stringContaining(`is in use by process ${process.pid} (started `),
        }),
      );
    } finally {
      lock.release();
    }
  });

  it('refuses a directory held by another live process on this host, naming its pid and the way out', () => {
    const child = spawn('sleep', ['30']);
    children.push(child);
    writeLock({ pid: child.pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    expect(() => acquireDataDirLock(dir, silentLogger)).toThrow(
      `data directory ${dir} is in use by process ${child.pid} (started 2026-01-01T00:00:00.000Z); ` +
        'stop it or set TWISTERLAB_DATA_DIR to another directory',
    );
    expect(readLock().pid).toBe(child.pid);
  });

  it('takes over a lock left by a process that no longer exists, with a warning', async () => {
    const pid = await deadPid();
    writeLock({ pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    const logger = recordingLogger();
    const lock = acquireDataDirLock(dir, logger);
    expect(readLock().pid).toBe(process.pid);
    expect(logger.warnings).toEqual([expect.stringContaining('stale')]);
    lock.release();
  });

  it('takes over a lock naming our own pid that this process does not hold (a restarted container)', () => {
    writeLock({ pid: process.pid, hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z' });
    const lock = acquireDataDirLock(dir, silentLogger);
    expect(readLock().startedAt).not.toBe('2020-01-01T00:00:00.000Z');
    lock.release();
  });

  it('treats a lock from another host as held and says how to clear it', () => {
    writeLock({ pid: 1, hostname: 'some-other-host', startedAt: '2026-01-01T00:00:00.000Z' });
    expect(() => acquireDataDirLock(dir, silentLogger)).toThrow(
      /process 1 on host some-other-host .*delete .*twisterlab\.lock/,
    );
  });

  it('treats an unreadable lock as held while it is fresh and as stale once it is old', () => {
    fs.writeFileSync(lockPath, '');
    expect(() => acquireDataDirLock(dir, silentLogger)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPath, old, old);
    acquireDataDirLock(dir, silentLogger).release();
  });

  it('leaves alone a lock file that another process has written since', () => {
    const lock = acquireDataDirLock(dir, silentLogger);
    writeLock({ pid: 424242, hostname: os.hostname(), startedAt: 'later' });
    lock.release();
    expect(readLock().pid).toBe(424242);
  });
});
