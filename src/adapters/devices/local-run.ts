// Runs an argv on this machine: no shell, a minimal environment, its own process group so a timeout
// or a cancel kills the whole tree, and a byte cap per output stream. The platform calls it through the spawn
// helper (spawn-helper.ts), a small process that pays the fork instead of the big one; it runs here too directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { TwisterError } from '../../core/errors.ts';
import type { ExecOptions, ExecResult } from '../../core/ports.ts';
import { readProcStat } from '../proc-stat.ts';

/**
 * Programs resolve on this PATH only (or the one configured in TWISTERLAB_LOCAL_PATH); nothing from the
 * platform's own environment reaches the child.
 */
export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// After the program exits, how long a leftover process of its group may keep our pipes open.
const DRAIN_GRACE_MS = 500;

interface CappedStream {
  text(): string;
  truncated(): boolean;
}

/** Keeps the first `cap` bytes and keeps reading (dropping the rest) so the child never blocks on a full pipe. */
function capture(stream: Readable, cap: number): CappedStream {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  stream.on('data', (chunk: Buffer) => {
    const room = cap - kept;
    if (room >= chunk.length) {
      chunks.push(chunk);
      kept += chunk.length;
      return;
    }
    if (room > 0) chunks.push(chunk.subarray(0, room));
    kept = cap;
    dropped = true;
  });
  return { text: () => Buffer.concat(chunks).toString('utf8'), truncated: () => dropped };
}

function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined) killProcessGroup(child.pid);
}

/** SIGKILL to the process group a command leads (every command runs in its own group). */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * SIGKILL to every process group of the session `sid` (read from /proc; Linux only, elsewhere nothing): what a
 * native spawn helper that died had started, whether it had told the platform or not. Never the platform's own
 * session or group. Returns how many groups were killed.
 */
export function killSession(sid: number): number {
  const own = readProcStat('self');
  if (sid <= 1 || !own || own.session === sid) return 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  const groups = new Set<number>();
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const found = readProcStat(Number(name));
    if (found?.session === sid && found.group > 1 && found.group !== own.group) groups.add(found.group);
  }
  for (const group of groups) killProcessGroup(group);
  return groups.size;
}

/** A program that could not be started, by the errno name of why (ENOENT, EACCES...). */
export function notStartedError(program: string, errno: string, searchPath: string, cause?: Error): TwisterError {
  const why =
    errno === 'ENOENT'
      ? `was not found on the safe PATH (${searchPath})`
      : errno === 'EACCES'
        ? 'is not executable'
        : `could not be started (${errno})`;
  return new TwisterError('COMMAND_FAILED', `program "${program}" ${why}`, { program, errno }, cause ? { cause } : {});
}

function spawnError(program: string, error: NodeJS.ErrnoException, searchPath: string): TwisterError {
  return notStartedError(program, error.code ?? error.message, searchPath, error);
}

export function abortedBeforeStart(signal: AbortSignal): TwisterError {
  return signal.reason instanceof TwisterError
    ? signal.reason
    : new TwisterError('CAPABILITY_ABORTED', 'the command was cancelled before it started');
}

interface Outcome {
  exit?: { code: number | null; signal: string | null };
  timedOut: boolean;
}

/** Settles once the pipes close, or shortly after the exit when a leftover process holds them. */
function waitForEnd(
  child: ChildProcess,
  program: string,
  searchPath: string,
  outcome: Outcome,
  cleanup: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const settle = (error?: TwisterError) => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      cleanup();
      if (error) reject(error);
      else resolve();
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) settle(spawnError(program, error, searchPath));
    });
    child.once('exit', (code, signal) => {
      outcome.exit = { code, signal };
      cleanup();
      drainTimer = setTimeout(() => {
        killGroup(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle();
      }, DRAIN_GRACE_MS);
    });
    child.once('close', (code, signal) => {
      if (child.pid === undefined) return;
      outcome.exit ??= { code, signal };
      settle();
    });
  });
}

/** Runs the argv here; `onStart` is told the pid (its process group's id) once it runs. */
export async function runArgv(
  argv: readonly string[],
  options: ExecOptions,
  searchPath: string,
  onStart?: (pid: number) => void,
): Promise<ExecResult> {
  if (argv.length === 0 || !argv[0]) throw new TwisterError('COMMAND_FAILED', 'no program to run (empty argv)');
  if (options.signal?.aborted) throw abortedBeforeStart(options.signal);
  const [program, ...args] = argv as [string, ...string[]];
  const started = performance.now();
  const env = { PATH: searchPath, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  const child = spawn(program, args, {
    shell: false,
    detached: true,
    cwd: '/',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) onStart?.(child.pid);
  const stdout = capture(child.stdout!, options.outputCap);
  const stderr = capture(child.stderr!, options.outputCap);
  const outcome: Outcome = { timedOut: false };
  const timer = setTimeout(() => {
    outcome.timedOut = true;
    killGroup(child);
  }, options.timeoutMs);
  const onAbort = () => killGroup(child);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  await waitForEnd(child, program, searchPath, outcome, () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    exitCode: outcome.exit?.code ?? null,
    signal: outcome.exit?.signal ?? null,
    durationMs: performance.now() - started,
    truncated: stdout.truncated() || stderr.truncated(),
    timedOut: outcome.timedOut,
  };
}
