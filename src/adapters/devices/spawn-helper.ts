// The platform's side of the spawn helper: local commands are sent to a small long-lived process that forks
// them, so the fork (which copies the page tables of the process that calls it, and blocks its event loop the
// while) is paid by a process of a few tens of MiB instead of the platform. Started with the executor and
// again (on the next command) after it dies; a command running in a helper that dies is killed (its process group) and fails with
// COMMAND_FAILED, never left pending. The helper does not keep the platform alive when nothing runs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TwisterError } from '../../core/errors.ts';
import type { ExecOptions, ExecResult } from '../../core/ports.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { abortedBeforeStart, killProcessGroup } from './local-run.ts';
import type { HelperReply, HelperRequest } from './spawn-helper-protocol.ts';

// Past the command's own timeout (enforced by the helper), how long before a silent helper is deemed stuck.
const HELPER_GRACE_MS = 10_000;

export interface SpawnHelper {
  run(argv: readonly string[], options: ExecOptions, searchPath: string): Promise<ExecResult>;
  /** The helper's pid while it runs (tests kill it). */
  pid(): number | undefined;
  /** Stops the helper; commands still running are killed and fail. */
  close(): void;
}

interface Pending {
  helper: ChildProcess;
  program: string;
  pid?: number;
  resolve(result: ExecResult): void;
  reject(error: TwisterError): void;
}

// The helper holds a few commands' output at a time: a 1 MiB young generation (V8's default lets it grow to 16
// MiB per semi-space, RSS the process never gives back).
const HELPER_FLAGS = ['--max-semi-space-size=1'];

/** The helper's entry: the compiled .js beside this module, or the .ts source run through tsx (development, tests). */
function helperCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const entry = path.join(path.dirname(here), `spawn-helper-main${ext}`);
  return [...HELPER_FLAGS, ...(ext === '.ts' ? ['--import', 'tsx', entry] : [entry])];
}

export function createSpawnHelper(): SpawnHelper {
  const pending = new Map<number, Pending>();
  let helper: ChildProcess | undefined;
  let nextId = 1;

  const holdOpen = (child: ChildProcess, hold: boolean) => {
    if (hold) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };

  const settle = (id: number) => {
    const call = pending.get(id);
    pending.delete(id);
    if (call && ![...pending.values()].some((p) => p.helper === call.helper)) holdOpen(call.helper, false);
    return call;
  };

  /** The helper is gone: what ran in it is killed and fails; the next command starts a new one. */
  const lost = (child: ChildProcess, why: string) => {
    if (helper === child) helper = undefined;
    for (const [id, call] of pending) {
      if (call.helper !== child) continue;
      if (call.pid !== undefined) killProcessGroup(call.pid);
      settle(id);
      call.reject(
        new TwisterError(
          'COMMAND_FAILED',
          `program "${call.program}" did not complete: the process that ran it stopped (${why}); it was killed`,
          { program: call.program },
        ),
      );
    }
  };

  const onReply = (message: HelperReply) => {
    if (message.type === 'started') {
      const call = pending.get(message.id);
      if (call) call.pid = message.pid;
      return;
    }
    const call = settle(message.id);
    if (!call) return;
    if (message.type === 'done') call.resolve(message.result);
    else call.reject(new TwisterError(message.error.code, message.error.message, message.error.details));
  };

  const ensure = (): ChildProcess => {
    if (helper && helper.connected) return helper;
    const child = spawn(process.execPath, helperCommand(), {
      cwd: PACKAGE_ROOT,
      env: {},
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', onReply);
    child.once('disconnect', () => lost(child, 'its channel closed'));
    child.once('exit', (code, signal) => lost(child, signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('error', (error) => lost(child, error.message));
    holdOpen(child, false);
    helper = child;
    return child;
  };

  // Started now, not on the first command: that one would otherwise wait for the helper's start-up too.
  ensure();
  return {
    run(argv, options, searchPath) {
      if (argv.length === 0 || !argv[0])
        return Promise.reject(new TwisterError('COMMAND_FAILED', 'no program to run (empty argv)'));
      if (options.signal?.aborted) return Promise.reject(abortedBeforeStart(options.signal));
      const child = ensure();
      const id = nextId++;
      return new Promise<ExecResult>((resolve, reject) => {
        // The helper enforces the timeout; this only catches a helper that stopped answering altogether.
        const stuck = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + HELPER_GRACE_MS);
        stuck.unref();
        const onAbort = () => child.connected && child.send({ type: 'cancel', id } satisfies HelperRequest);
        const done = () => {
          clearTimeout(stuck);
          options.signal?.removeEventListener('abort', onAbort);
        };
        pending.set(id, {
          helper: child,
          program: argv[0]!,
          resolve: (result) => {
            done();
            resolve(result);
          },
          reject: (error) => {
            done();
            reject(error);
          },
        });
        holdOpen(child, true);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        const request: HelperRequest = {
          type: 'run',
          id,
          argv: [...argv],
          timeoutMs: options.timeoutMs,
          outputCap: options.outputCap,
          searchPath,
        };
        child.send(request, (error) => {
          if (error) lost(child, `could not be reached: ${error.message}`);
        });
      });
    },
    pid: () => helper?.pid,
    close() {
      helper?.kill('SIGKILL');
    },
  };
}

let shared: SpawnHelper | undefined;

/**
 * The process's one spawn helper, started on first use and shared by every local executor (a catalogue made per
 * test or per runtime finds it warm). It is never closed: it holds nothing open and exits with this process.
 */
export function sharedSpawnHelper(): SpawnHelper {
  shared ??= createSpawnHelper();
  return shared;
}
