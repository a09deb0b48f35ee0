// The platform's side of the spawn helper: local commands are sent to a small long-lived process that starts
// them, so the fork (which copies the page tables of the process that calls it, and blocks its event loop the
// while) is not paid by the platform. Two helpers keep the same contract (local-run.ts):
// - `native` (native/spawn-helper.c, built by `npm run build:native` when a C compiler is there): posix_spawn, a
//   vfork-style clone that copies nothing, about twice as fast as Node's fork + exec on a 2-core machine;
// - `node` (spawn-helper-main.ts): a Node process of a few tens of MiB that runs runArgv.
// Started with the executor and again (on the next command) after it dies; a command running in a helper that dies
// is killed (its process group) and fails with COMMAND_FAILED, never left pending. A helper killed outright between
// starting a command and telling of it (a millisecond or so) leaves that command's pid unknown to the platform: the
// native helper leads a session that holds all it started, which the platform kills after it; a command of the
// Node helper (Node cannot start a process in a group of its own without a session of its own) runs on until its
// own end. close() does not kill the helper outright: it closes the channel, and the helper, which knows every pid
// as soon as it has one, kills them all. The helper does not keep the platform alive when nothing runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import type { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TwisterError } from '../../core/errors.ts';
import type { ExecOptions, ExecResult } from '../../core/ports.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { abortedBeforeStart, killProcessGroup, killSession, notStartedError } from './local-run.ts';
import type { HelperReply, HelperRequest } from './spawn-helper-protocol.ts';

// Past the command's own timeout (enforced by the helper), how long before a silent helper is deemed stuck.
const HELPER_GRACE_MS = 10_000;
// How long a helper told to stop has to kill its commands and exit before it is killed.
const SHUTDOWN_GRACE_MS = 5_000;

/** Kills the helper unless it has exited within the grace; the timer does not keep the platform alive. */
function killIfStillThere(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

export interface SpawnHelper {
  run(argv: readonly string[], options: ExecOptions, searchPath: string): Promise<ExecResult>;
  /** The helper's pid while it runs (tests kill it). */
  pid(): number | undefined;
  /**
   * The pids of the commands running in the helper that the platform has heard started: those it kills itself
   * when the helper dies. One the helper started but had not told of when it was killed outright is not among them.
   */
  commandPids(): number[];
  /** Stops the helper; commands still running are killed and fail. */
  close(): void;
}

/** Which helper starts the commands; `auto` (the setting's default) is `native` when it is built, else `node`. */
export type SpawnHelperKind = 'native' | 'node';
export type SpawnHelperSetting = SpawnHelperKind | 'auto';

/** Where `npm run build:native` (run by `npm install` and `npm run build`) puts the native helper. */
export const NATIVE_HELPER_PATH = path.join(PACKAGE_ROOT, 'dist', 'native', 'twisterlab-spawn-helper');

export function nativeHelperBuilt(): boolean {
  try {
    accessSync(NATIVE_HELPER_PATH, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The helper a setting names; `native` when it is not built is a configuration error, said at start. */
export function chooseSpawnHelper(setting: SpawnHelperSetting): SpawnHelperKind {
  if (setting === 'node') return 'node';
  if (nativeHelperBuilt()) return 'native';
  if (setting === 'auto') return 'node';
  throw new TwisterError(
    'CONFIG_INVALID',
    `TWISTERLAB_SPAWN_HELPER=native, but the native spawn helper is not built (${path.relative(PACKAGE_ROOT, NATIVE_HELPER_PATH)}): run \`npm run build:native\`, which needs a C compiler (cc), or set it to auto or node`,
    { setting: 'TWISTERLAB_SPAWN_HELPER' },
  );
}

interface Pending {
  helper: ChildProcess;
  program: string;
  searchPath: string;
  pid?: number;
  resolve(result: ExecResult): void;
  reject(error: TwisterError): void;
}

/** A running helper process and the way requests reach it. */
interface Channel {
  readonly child: ChildProcess;
  connected(): boolean;
  /** Sends a request; a channel that cannot take it is reported through `lost`. */
  send(request: HelperRequest): void;
  /** Whether the helper keeps the platform's event loop alive (only while a command runs in it). */
  hold(hold: boolean): void;
  /**
   * Closes the way requests reach the helper: it kills what it started and exits (killed after a grace if not).
   * The helper knows each command's pid from the moment it is started, before its `started` message leaves:
   * killing the helper outright could orphan a command whose message had not.
   */
  shutdown(): void;
}

interface ChannelEvents {
  reply(message: HelperReply, child: ChildProcess): void;
  lost(child: ChildProcess, why: string): void;
}

// The Node helper holds a few commands' output at a time: a 1 MiB young generation (V8's default lets it grow to
// 16 MiB per semi-space, RSS the process never gives back).
const HELPER_FLAGS = ['--max-semi-space-size=1'];

/** The Node helper's entry: the compiled .js beside this module, or the .ts source run through tsx (development, tests). */
function helperCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const entry = path.join(path.dirname(here), `spawn-helper-main${ext}`);
  return [...HELPER_FLAGS, ...(ext === '.ts' ? ['--import', 'tsx', entry] : [entry])];
}

/** The Node helper, over Node's IPC channel (JSON messages). */
function nodeChannel(events: ChannelEvents): Channel {
  const child = spawn(process.execPath, helperCommand(), {
    cwd: PACKAGE_ROOT,
    env: {},
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', (message: HelperReply) => events.reply(message, child));
  // Lost when the channel closes, which comes after every message the helper sent has been read, not at its exit,
  // which can come first: a `started` still unread then would leave that command's pid unknown, and it unkilled.
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  child.once('disconnect', () => events.lost(child, exited ?? 'its channel closed'));
  child.once('error', (error) => events.lost(child, error.message));
  return {
    child,
    connected: () => child.connected,
    send(request) {
      child.send(request, (error) => {
        if (error) events.lost(child, `could not be reached: ${error.message}`);
      });
    },
    hold(hold) {
      if (hold) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
    shutdown() {
      if (child.connected) child.disconnect();
      killIfStillThere(child);
    },
  };
}

const signalNames = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name]));
const errnoNames = new Map(Object.entries(osConstants.errno).map(([name, number]) => [number, name]));

/**
 * The native helper takes requests of up to 4 MiB (native/spawn-helper.c, MAX_REQUEST) and stops on a larger one,
 * which would fail every command running in it: a longer argv is refused here (the kernel refuses anything over
 * its own limit, usually 2 MiB, anyway).
 */
const MAX_ARGV_BYTES = 4 * 1024 * 1024 - 64;

/** A run request in the native helper's framing (native/spawn-helper.c). */
export function encodeRun(request: Extract<HelperRequest, { type: 'run' }>): Buffer {
  const strings = Buffer.from([request.searchPath, ...request.argv].map((s) => `${s}\0`).join(''), 'utf8');
  const frame = Buffer.allocUnsafe(4 + 17 + strings.length);
  frame.writeUInt32LE(17 + strings.length, 0);
  frame.writeUInt8(1, 4);
  frame.writeUInt32LE(request.id, 5);
  frame.writeUInt32LE(Math.min(request.timeoutMs, 0xffffffff), 9);
  frame.writeUInt32LE(Math.min(request.outputCap, 0xffffffff), 13);
  frame.writeUInt32LE(request.argv.length, 17);
  strings.copy(frame, 21);
  return frame;
}

export function encodeCancel(id: number): Buffer {
  const frame = Buffer.allocUnsafe(9);
  frame.writeUInt32LE(5, 0);
  frame.writeUInt8(2, 4);
  frame.writeUInt32LE(id, 5);
  return frame;
}

/** Cuts the native helper's output into frames (a u32 length, then the payload), whatever the chunks. */
export function frameReader(onFrame: (payload: Buffer) => void): (chunk: Buffer) => void {
  let chunks: Buffer[] = [];
  let size = 0;
  return (chunk) => {
    chunks.push(chunk);
    size += chunk.length;
    for (;;) {
      if (size >= 4 && chunks[0]!.length < 4) chunks = [Buffer.concat(chunks)];
      const length = size >= 4 ? chunks[0]!.readUInt32LE(0) : 0;
      if (size < 4 || size < 4 + length) {
        // A short rest of a big frame's buffer is copied, so that buffer is not kept for its sake.
        if (chunks.length === 1 && chunks[0]!.length < 65_536 && chunks[0]!.buffer.byteLength > 65_536)
          chunks = [Buffer.from(chunks[0]!)];
        return;
      }
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      onFrame(all.subarray(4, 4 + length));
      const rest = all.subarray(4 + length);
      chunks = rest.length > 0 ? [rest] : [];
      size = rest.length;
    }
  };
}

/** A native helper's reply as the Node helper would have sent it. */
export function decodeReply(
  payload: Buffer,
  describe: (id: number) => { program: string; searchPath: string },
): HelperReply {
  const type = payload.readUInt8(0);
  const id = payload.readUInt32LE(1);
  if (type === 1) return { type: 'started', id, pid: payload.readInt32LE(5) };
  if (type === 3) {
    const errno = payload.readInt32LE(5);
    const { program, searchPath } = describe(id);
    const error = notStartedError(program, errnoNames.get(errno) ?? `errno ${errno}`, searchPath);
    return { type: 'failed', id, error: { code: error.code, message: error.message, details: error.details } };
  }
  const code = payload.readInt32LE(5);
  const signal = payload.readInt32LE(9);
  const flags = payload.readUInt8(13);
  const durationMs = payload.readDoubleLE(14);
  const outLength = payload.readUInt32LE(22);
  const stdout = payload.toString('utf8', 26, 26 + outLength);
  const errAt = 26 + outLength;
  const stderr = payload.toString('utf8', errAt + 4, errAt + 4 + payload.readUInt32LE(errAt));
  return {
    type: 'done',
    id,
    result: {
      stdout,
      stderr,
      exitCode: code === -1 ? null : code,
      signal: signal === 0 ? null : (signalNames.get(signal) ?? `signal ${signal}`),
      durationMs,
      truncated: (flags & 2) !== 0,
      timedOut: (flags & 1) !== 0,
    },
  };
}

/** The native helper, over its stdin and stdout. */
function nativeChannel(
  events: ChannelEvents,
  describe: (id: number) => { program: string; searchPath: string },
): Channel {
  const child = spawn(NATIVE_HELPER_PATH, [], { cwd: '/', env: {}, stdio: ['pipe', 'pipe', 'inherit'] });
  let open = true;
  let exited: string | undefined;
  const close = (why: string) => {
    open = false;
    // The helper leads a session holding all it started: a command it had not told of yet is killed too.
    if (child.pid !== undefined) killSession(child.pid);
    events.lost(child, why);
  };
  const stdin = child.stdin as Socket;
  const stdout = child.stdout as Socket;
  stdout.on(
    'data',
    frameReader((payload) => {
      let reply: HelperReply;
      try {
        reply = decodeReply(payload, describe);
      } catch (error) {
        // Cannot happen with the helper built from this tree; if it does, no later frame can be trusted either.
        child.kill('SIGKILL');
        return close(`its reply could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      events.reply(reply, child);
    }),
  );
  // The helper's stdout closes only when it has exited (its commands have pipes of their own), after every reply it
  // wrote has been read: what finished before it died is answered, the rest fails.
  stdout.once('close', () => close(exited ?? 'its channel closed'));
  stdin.on('error', (error) => {
    open = false;
    child.kill('SIGKILL');
    exited ??= `could not be reached: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    open = false;
    exited ??= signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  child.once('error', (error) => close(error.message));
  return {
    child,
    connected: () => open && !stdin.destroyed,
    send(request) {
      if (request.type === 'cancel') stdin.write(encodeCancel(request.id));
      else stdin.write(encodeRun(request));
    },
    hold(hold) {
      for (const handle of [child, stdin, stdout]) {
        if (hold) handle.ref();
        else handle.unref();
      }
    },
    shutdown() {
      open = false;
      stdin.end();
      killIfStillThere(child);
    },
  };
}

export function createSpawnHelper(kind: SpawnHelperKind = 'node'): SpawnHelper {
  const pending = new Map<number, Pending>();
  let channel: Channel | undefined;
  let nextId = 1;

  const holdOpen = (child: ChildProcess, hold: boolean) => {
    if (channel?.child === child) channel.hold(hold);
  };

  const settle = (id: number) => {
    const call = pending.get(id);
    pending.delete(id);
    if (call && ![...pending.values()].some((p) => p.helper === call.helper)) holdOpen(call.helper, false);
    return call;
  };

  /** The helper is gone: what ran in it is killed and fails; the next command starts a new one. */
  const lost = (child: ChildProcess, why: string) => {
    if (channel?.child === child) channel = undefined;
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

  const reply = (message: HelperReply) => {
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

  const describe = (id: number) => {
    const call = pending.get(id);
    return { program: call?.program ?? '?', searchPath: call?.searchPath ?? '' };
  };

  const ensure = (): Channel => {
    if (channel?.connected()) return channel;
    const events: ChannelEvents = { reply, lost };
    const started = kind === 'native' ? nativeChannel(events, describe) : nodeChannel(events);
    started.hold(false);
    channel = started;
    return started;
  };

  // Started now, not on the first command: that one would otherwise wait for the helper's start-up too.
  ensure();
  return {
    run(argv, options, searchPath) {
      if (argv.length === 0 || !argv[0])
        return Promise.reject(new TwisterError('COMMAND_FAILED', 'no program to run (empty argv)'));
      if (options.signal?.aborted) return Promise.reject(abortedBeforeStart(options.signal));
      if (kind === 'native' && [searchPath, ...argv].reduce((n, s) => n + Buffer.byteLength(s) + 1, 0) > MAX_ARGV_BYTES)
        return Promise.reject(
          new TwisterError(
            'COMMAND_FAILED',
            `program "${argv[0]}" was not started: its arguments exceed ${MAX_ARGV_BYTES} bytes`,
            { program: argv[0] },
          ),
        );
      if ([searchPath, ...argv].some((s) => s.includes('\0')))
        return Promise.reject(
          new TwisterError('COMMAND_FAILED', `program "${argv[0]}" was not started: an argument holds a NUL byte`, {
            program: argv[0],
          }),
        );
      const current = ensure();
      const child = current.child;
      const id = nextId++;
      return new Promise<ExecResult>((resolve, reject) => {
        // The helper enforces the timeout; this only catches a helper that stopped answering altogether.
        const stuck = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + HELPER_GRACE_MS);
        stuck.unref();
        const onAbort = () => {
          if (current.connected()) current.send({ type: 'cancel', id });
        };
        const done = () => {
          clearTimeout(stuck);
          options.signal?.removeEventListener('abort', onAbort);
        };
        pending.set(id, {
          helper: child,
          program: argv[0]!,
          searchPath,
          resolve: (result) => {
            done();
            resolve(result);
          },
          reject: (error) => {
            done();
            reject(error);
          },
        });
        current.hold(true);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        current.send({
          type: 'run',
          id,
          argv: [...argv],
          timeoutMs: options.timeoutMs,
          outputCap: options.outputCap,
          searchPath,
        });
      });
    },
    pid: () => channel?.child.pid,
    commandPids: () => [...pending.values()].flatMap((call) => (call.pid === undefined ? [] : [call.pid])),
    close() {
      channel?.shutdown();
    },
  };
}

const shared = new Map<SpawnHelperKind, SpawnHelper>();

/**
 * The process's spawn helper of that kind, started on first use and shared by every local executor (a catalogue
 * made per test or per runtime finds it warm). It is never closed: it holds nothing open and exits with this process.
 */
export function sharedSpawnHelper(kind: SpawnHelperKind): SpawnHelper {
  let helper = shared.get(kind);
  if (!helper) {
    helper = createSpawnHelper(kind);
    shared.set(kind, helper);
  }
  return helper;
}
