// An exclusive lock on the embedded store's data directory. PGlite lets two processes open one directory
// with no error and then silently loses writes, so the store takes this lock before it opens anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TwisterError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

export const LOCK_FILE_NAME = 'twisterlab.lock';

interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void;
}

// Lock files this process holds: a lock naming our own pid is stale unless it is in here (a container
// restarted with the same pid), and held when it is (the same directory opened twice in one process).
const heldHere = new Set<string>();

// A lock file whose content is not readable yet may be one another process has just created with `wx`.
const UNREADABLE_GRACE_MS = 10_000;

export function acquireDataDirLock(dataDir: string, logger: Logger): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(path.resolve(dataDir), LOCK_FILE_NAME);
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
  if (!tryCreate(lockPath, owner)) {
    const previous = readOwner(lockPath);
    refuseIfHeld(dataDir, lockPath, previous);
    logger.warn({ lockPath, previous }, 'taking over a stale data directory lock left by a process that is gone');
    fs.rmSync(lockPath, { force: true });
    // One retry: if another process took the lock in between, it is alive and we refuse.
    if (!tryCreate(lockPath, owner)) {
      refuseIfHeld(dataDir, lockPath, readOwner(lockPath));
      throw lockedError(dataDir, lockPath, readOwner(lockPath));
    }
  }
  heldHere.add(lockPath);
  return { path: lockPath, release: () => release(lockPath, owner) };
}

function tryCreate(lockPath: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return null;
    return { pid: parsed.pid, hostname: parsed.hostname, startedAt: String(parsed.startedAt ?? 'unknown') };
  } catch {
    return null;
  }
}

function refuseIfHeld(dataDir: string, lockPath: string, owner: LockOwner | null): void {
  if (isHeld(lockPath, owner)) throw lockedError(dataDir, lockPath, owner);
}

function isHeld(lockPath: string, owner: LockOwner | null): boolean {
  if (!owner) return recentlyModified(lockPath);
  // A process on another host cannot be probed: assume it is alive rather than risk two writers.
  if (owner.hostname !== os.hostname()) return true;
  if (owner.pid === process.pid) return heldHere.has(lockPath);
  return isAlive(owner.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function recentlyModified(lockPath: string): boolean {
  try {
    return Date.now() - fs.statSync(lockPath).mtimeMs < UNREADABLE_GRACE_MS;
  } catch {
    return false;
  }
}

function lockedError(dataDir: string, lockPath: string, owner: LockOwner | null): TwisterError {
  const who = owner
    ? `process ${owner.pid}${owner.hostname === os.hostname() ? '' : ` on host ${owner.hostname}`} (started ${owner.startedAt})`
    : 'another process (its lock file is being written)';
  const hint = owner && owner.hostname !== os.hostname() ? `; if that host no longer runs it, delete ${lockPath}` : '';
  return new TwisterError(
    'STORE_LOCKED',
    `data directory ${dataDir} is in use by ${who}; stop it or set TWISTERLAB_DATA_DIR to another directory${hint}`,
    { dataDir, lockPath, ...(owner ? { pid: owner.pid, hostname: owner.hostname, startedAt: owner.startedAt } : {}) },
  );
}

function release(lockPath: string, owner: LockOwner): void {
  if (!heldHere.has(lockPath)) return;
  heldHere.delete(lockPath);
  const current = readOwner(lockPath);
  // Only remove a lock that is still ours: never another process's.
  if (current && current.pid === owner.pid && current.startedAt === owner.startedAt)
    fs.rmSync(lockPath, { force: true });
}
