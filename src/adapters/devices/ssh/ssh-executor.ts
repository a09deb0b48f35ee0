// Runs an argv on an SSH device through the pool: quoted for the remote shell, output capped per stream,
// and on timeout or cancel the remote process group is killed from a second channel — not merely abandoned.
import type { Client, ClientChannel } from 'ssh2';
import { TwisterError } from '../../../core/errors.ts';
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import type { CommandExecutor, ExecOptions, ExecResult } from '../../../core/ports.ts';
import { buildKillCommand, buildRemoteCommand, readPreamble } from './remote-command.ts';
import type { SshPool } from './ssh-pool.ts';

// After the program exits, how long a leftover background process may keep the channel open.
const DRAIN_GRACE_MS = 500;
// How long to wait for the kill channel before falling back to closing ours.
const KILL_GRACE_MS = 3_000;

class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = false;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    const room = this.cap - this.kept;
    if (room >= chunk.length) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept = this.cap;
    this.dropped = true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function openChannel(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) =>
      error
        ? reject(new TwisterError('COMMAND_FAILED', `could not open an SSH channel: ${error.message}`))
        : resolve(channel),
    );
  });
}

/** Kills the remote process group through a second channel; the caller then closes the first. */
async function killRemote(client: Client, state: RunState, channel: ClientChannel): Promise<void> {
  // A kill asked for before the group id line arrived waits for it briefly: killing blind would leave children.
  if (state.preamble !== undefined)
    await Promise.race([state.preambleRead, new Promise((r) => setTimeout(r, KILL_GRACE_MS))]);
  const { pgid } = state;
  const killer =
    pgid === undefined ? undefined : await openChannel(client, buildKillCommand(pgid)).catch(() => undefined);
  if (!killer) {
    // No pid was read (the preamble never came) or no channel could open: ask sshd to signal the session.
    channel.signal('KILL');
    return;
  }
  killer.resume();
  killer.stderr.resume();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, KILL_GRACE_MS);
    killer.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

interface RunState {
  pgid?: number;
  /** stdout bytes held back until the pgid line is complete; undefined once it has been read. */
  preamble: Buffer | undefined;
  /** Settles once the preamble has been read (or found absent). */
  preambleRead: Promise<void>;
  markPreambleRead: () => void;
  exit?: { code: number | null; signal: string | null };
  timedOut: boolean;
  killing?: Promise<void>;
}

function watchStdout(channel: ClientChannel, stdout: CappedBuffer, state: RunState): void {
  channel.on('data', (chunk: Buffer) => {
    if (state.preamble === undefined) return stdout.push(chunk);
    const buffered = Buffer.concat([state.preamble, chunk]);
    const read = readPreamble(buffered);
    if (read.state === 'pending') {
      state.preamble = buffered;
      return;
    }
    state.preamble = undefined;
    state.markPreambleRead();
    if (read.state === 'found') state.pgid = read.pgid;
    const rest = read.state === 'found' ? read.rest : buffered;
    if (rest.length > 0) stdout.push(rest);
  });
}

/** Settles when the channel closes, or gives up on a channel that never does. */
function waitForClose(channel: ClientChannel, state: RunState, options: ExecOptions, kill: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let drain: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(resolve, options.timeoutMs + KILL_GRACE_MS + 1_000);
    channel.on('exit', (code: number | null, signal?: string) => {
      state.exit = {
        code: typeof code === 'number' ? code : null,
        signal: signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null,
      };
      drain = setTimeout(kill, DRAIN_GRACE_MS);
    });
    channel.once('close', () => {
      clearTimeout(drain);
      clearTimeout(giveUp);
      resolve();
    });
  });
}

async function runOnChannel(client: Client, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const channel = await openChannel(client, buildRemoteCommand(argv));
  const stdout = new CappedBuffer(options.outputCap);
  const stderr = new CappedBuffer(options.outputCap);
  let markPreambleRead = () => {};
  const preambleRead = new Promise<void>((resolve) => {
    markPreambleRead = resolve;
  });
  const state: RunState = { preamble: Buffer.alloc(0), preambleRead, markPreambleRead, timedOut: false };
  watchStdout(channel, stdout, state);
  channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const kill = () => {
    state.killing ??= killRemote(client, state, channel).finally(() => channel.close());
  };
  const timer = setTimeout(() => {
    state.timedOut = true;
    kill();
  }, options.timeoutMs);
  options.signal?.addEventListener('abort', kill, { once: true });
  // Cancelled while the channel was opening: the listener above came too late for that abort.
  if (options.signal?.aborted) kill();
  await waitForClose(channel, state, options, kill);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', kill);
  await state.killing;
  const killed = state.killing !== undefined && state.exit === undefined;
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    exitCode: state.exit?.code ?? null,
    signal: state.exit?.signal ?? (killed ? 'SIGKILL' : null),
    durationMs: performance.now() - started,
    truncated: stdout.dropped || stderr.dropped,
    timedOut: state.timedOut,
  };
}

/** `spec` is read on every call so a changed definition (new host key, new address) takes effect at once. */
export function createSshExecutor(spec: () => SshDeviceSpec, pool: SshPool): CommandExecutor {
  return {
    async exec(argv, options) {
      if (options.signal?.aborted)
        throw new TwisterError('CAPABILITY_ABORTED', 'the command was cancelled before it started');
      // Refused before any connection is made: the pool never sees an argv that is not plain.
      buildRemoteCommand(argv);
      return pool.withConnection(spec(), options.signal, (client) => runOnChannel(client, argv, options));
    },
  };
}
