import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { PACKAGE_ROOT } from '../package-root.ts';
import { createLocalExecutor, SAFE_PATH, type LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';
import { parseProcStat, readProcStat } from '../proc-stat.ts';
import { killSession } from './local-run.ts';
import {
  chooseSpawnHelper,
  decodeReply,
  encodeRun,
  frameReader,
  NATIVE_HELPER_PATH,
  nativeHelperBuilt,
  type SpawnHelperKind,
} from './spawn-helper.ts';

const helped: Record<SpawnHelperKind, LocalExecutor> = {
  native: createLocalExecutor(SAFE_PATH, { ownHelper: true, helper: 'native' }),
  node: createLocalExecutor(SAFE_PATH, { ownHelper: true, helper: 'node' }),
};
const direct = createLocalExecutor(SAFE_PATH, { direct: true });
afterAll(() => Object.values(helped).forEach((executor) => executor.close()));
const options = { timeoutMs: 5_000, outputCap: 64 * 1024 };

/** Gone, or a zombie waiting for a reaper: either way it no longer runs. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Polls until the condition holds: bounded only by the test's own timeout, never by a guess of how long it takes. */
async function waitUntil(condition: () => boolean): Promise<true> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
  return true;
}

const ways: Array<[string, LocalExecutorOptions]> = [
  ['through the native spawn helper', { helper: 'native' }],
  ['through the Node spawn helper', { helper: 'node' }],
  ['directly', { direct: true }],
];

describe.each(ways)('the local executor %s', (_, way) => {
  const executor = way.direct ? direct : helped[way.helper!];

  it('returns stdout, stderr and the exit code apart', async () => {
    const result = await executor.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], options);
    expect(result).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
      signal: null,
      truncated: false,
      timedOut: false,
    });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('passes arguments verbatim, with no shell interpreting them', async () => {
    const result = await executor.exec(['echo', '$(id)', ';', '*', '`id`'], options);
    expect(result.stdout).toBe('$(id) ; * `id`\n');
  });

  it('gives the child only a fixed PATH and a C.UTF-8 locale', async () => {
    const result = await executor.exec(['env'], options);
    expect(result.stdout.trim().split('\n').sort()).toEqual(['LANG=C.UTF-8', 'LC_ALL=C.UTF-8', `PATH=${SAFE_PATH}`]);
  });

  it('keeps at most the cap of each stream, flags the truncation and still drains the pipe', async () => {
    const result = await executor.exec(['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" a; echo done >&2'], {
      ...options,
      outputCap: 1000,
    });
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stderr).toBe('done\n');
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  // The sleeps outlast the test's own timeout: only the 300 ms command timeout can end them in time.
  it('kills the whole process tree on timeout, grandchildren included', async () => {
    const result = await executor.exec(['sh', '-c', 'sleep 3600 & echo $!; sleep 3600'], {
      ...options,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(1);
    expect(await waitUntil(() => !isRunning(grandchild))).toBe(true);
  });

  it('kills the process tree when the signal aborts', async () => {
    const controller = new AbortController();
    // The program writes its pid, then sleeps for longer than the test may run; once it is running, the caller gives up.
    const dir = mkdtempSync(path.join(tmpdir(), 'exec-abort-'));
    const pidFile = path.join(dir, 'pid');
    try {
      const running = executor.exec(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 3600`], {
        ...options,
        timeoutMs: 3_600_000,
        signal: controller.signal,
      });
      await waitUntil(() => readPid(pidFile) !== undefined);
      const pid = readPid(pidFile)!;
      expect(isRunning(pid)).toBe(true);
      controller.abort();
      const result = await running;
      expect(result.signal).toBe('SIGKILL');
      expect(result.timedOut).toBe(false);
      expect(await waitUntil(() => !isRunning(pid))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The background sleep outlasts the test and the command timeout is longer still: waiting on the pipes cannot pass.
  it('does not wait for a background process that keeps the pipes open after the program exits', async () => {
    const result = await executor.exec(['sh', '-c', 'sleep 3600 & echo $!'], { ...options, timeoutMs: 3_600_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(await waitUntil(() => !isRunning(Number(result.stdout.trim())))).toBe(true);
  });

  // A process group of its own: a timeout's kill reaches everything the command started. A session without a
  // terminal: no terminal signal of the platform's reaches the command, and it cannot read one. Directly and
  // through the Node helper the session is the command's own; the native helper's commands share the helper's,
  // so that what it started can be found after it dies.
  it('starts the program in a process group of its own, with no terminal, in /, with no signal blocked and none of the standard ones ignored', async () => {
    const stat = await executor.exec(['cat', '/proc/self/stat'], options);
    const pid = stat.stdout.slice(0, stat.stdout.indexOf(' '));
    const { group, session, tty } = parseProcStat(stat.stdout);
    expect(Number(pid)).toBeGreaterThan(1);
    const leader = way.helper === 'native' ? executor.helperPid() : Number(pid);
    expect([group, session, tty]).toEqual([Number(pid), leader, 0]);
    // Signals 32 and 33 are the C library's own (glibc's posix_spawn sets them ignored; they are not SIGRTMIN..).
    const status = await executor.exec(['grep', '-E', '^Sig(Ign|Blk):', '/proc/self/status'], options);
    const masks = Object.fromEntries(
      status.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(':\t')),
    );
    expect(BigInt(`0x${masks.SigBlk}`)).toBe(0n);
    expect(BigInt(`0x${masks.SigIgn}`) & ~(3n << 31n)).toBe(0n);
    expect((await executor.exec(['pwd'], options)).stdout).toBe('/\n');
    // SIGPIPE at its default: `yes` dies quietly once `head` has its line, instead of complaining of EPIPE.
    const piped = await executor.exec(['sh', '-c', 'yes | head -n 1'], options);
    expect(piped).toMatchObject({ stdout: 'y\n', stderr: '', exitCode: 0 });
  });

  it('fails with COMMAND_FAILED when the program is not executable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exec-noexec-'));
    try {
      writeFileSync(path.join(dir, 'plain'), 'echo never\n', { mode: 0o644 });
      await expect(createLocalExecutor(dir, way).exec(['plain'], options)).rejects.toMatchObject({
        code: 'COMMAND_FAILED',
        message: 'program "plain" is not executable',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with COMMAND_FAILED when the program does not exist', async () => {
    await expect(executor.exec(['no-such-program-xyz'], options)).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: expect.stringContaining('was not found on the safe PATH'),
    });
  });

  it('does not start anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(executor.exec(['true'], { ...options, signal: controller.signal })).rejects.toMatchObject({
      code: 'CAPABILITY_ABORTED',
    });
  });
});

/** The session a process belongs to, read from /proc (undefined once it is gone). */
function sessionOf(pid: number | 'self'): number | undefined {
  return readProcStat(pid)?.session;
}

/** The pids of the processes of a session, from /proc. */
function sessionMembers(sid: number): number[] {
  return readdirSync('/proc').flatMap((name) =>
    /^[0-9]+$/.test(name) && sessionOf(Number(name)) === sid ? [Number(name)] : [],
  );
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && b.every((x) => a.includes(x));
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

describe.each(['native', 'node'] as SpawnHelperKind[])('the %s spawn helper', (kind) => {
  const helper = helped[kind];
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-helper-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers many commands at once, each with its own output', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        helper.exec(['sh', '-c', `echo ${i}; echo e${i} >&2; exit ${i % 7}`], options),
      ),
    );
    results.forEach((result, i) =>
      expect(result).toMatchObject({ stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: i % 7, timedOut: false }),
    );
  });

  it('brings back a large output whole, and caps a huge one at the cap', async () => {
    const eightMiB = 8 * 1024 * 1024;
    const whole = await helper.exec(['head', '-c', String(eightMiB), '/dev/zero'], {
      ...options,
      outputCap: 16 * 1024 * 1024,
    });
    expect(whole.stdout.length).toBe(eightMiB);
    expect(whole.truncated).toBe(false);
    const capped = await helper.exec(['sh', '-c', 'head -c 20000000 /dev/zero; echo tail >&2'], {
      ...options,
      outputCap: 1024 * 1024,
    });
    expect(capped.stdout.length).toBe(1024 * 1024);
    expect(capped.stderr).toBe('tail\n');
    expect(capped.truncated).toBe(true);
    expect(capped.exitCode).toBe(0);
  });

  it('fails the commands running in a helper that dies, kills them, and starts a new helper for the next', async () => {
    const files = [0, 1, 2].map((i) => path.join(dir, `pid-${i}`));
    await helper.exec(['true'], options);
    const first = helper.helperPid()!;
    expect(first).toBeGreaterThan(1);
    const calls = files.map((file) =>
      helper.exec(['sh', '-c', `echo $$ > ${file}; sleep 3600`], { ...options, timeoutMs: 60_000 }),
    );
    const failures = calls.map((call) =>
      call.then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(await waitUntil(() => files.every((file) => readPid(file) !== undefined))).toBe(true);
    const commands = files.map((file) => readPid(file)!);
    // Killed outright, a helper cannot kill what it started; the platform kills what it heard started, and the
    // native helper's session besides. A command runs (and writes its file) a moment before its helper tells of
    // it: for the Node helper wait for that, the window is real (and left open).
    if (kind === 'node') expect(await waitUntil(() => sameSet(helper.commandPids(), commands))).toBe(true);
    process.kill(first, 'SIGKILL');
    for (const error of await Promise.all(failures)) {
      expect(error).toMatchObject({
        code: 'COMMAND_FAILED',
        message: expect.stringMatching(/"sh" did not complete: the process that ran it stopped/),
      });
    }
    for (const pid of commands) expect(await waitUntil(() => !isRunning(pid))).toBe(true);
    const after = await helper.exec(['echo', 'again'], options);
    expect(after.stdout).toBe('again\n');
    expect(helper.helperPid()).not.toBe(first);
  });

  it('close() stops the helper and kills what runs in it, even a command whose start it has not told of yet', async () => {
    // Closed the moment the command has run its first line: now and then before its `started` message has left
    // the helper (a window of a millisecond or so, which ten rounds hit often enough to notice).
    for (let round = 0; round < 10; round += 1) {
      const own = createLocalExecutor(SAFE_PATH, { ownHelper: true, helper: kind });
      const file = path.join(dir, `pid-closed-${round}`);
      const call = own
        .exec(['sh', '-c', `echo $$ > ${file}; sleep 3600`], { ...options, timeoutMs: 60_000 })
        .catch((error: unknown) => error);
      expect(await waitUntil(() => readPid(file) !== undefined)).toBe(true);
      const helperPid = own.helperPid()!;
      own.close();
      expect(await call).toMatchObject({ code: 'COMMAND_FAILED' });
      expect(await waitUntil(() => !isRunning(readPid(file)!) && !isRunning(helperPid))).toBe(true);
    }
  });

  it('kills what runs in it and exits when the platform is killed (its channel closes)', async () => {
    const file = path.join(dir, 'pid-orphan');
    const script = path.join(dir, 'platform.mts');
    const executorModule = path.resolve(import.meta.dirname, 'local-executor.ts');
    writeFileSync(
      script,
      [
        `import { createLocalExecutor } from ${JSON.stringify(executorModule)};`,
        `const executor = createLocalExecutor(undefined, { helper: ${JSON.stringify(kind)} });`,
        `const call = executor.exec(['sh', '-c', 'echo $$ > ${file}; sleep 3600'], { timeoutMs: 60000, outputCap: 1024 });`,
        'console.log(JSON.stringify({ helper: (await new Promise((r) => setTimeout(r, 50)), executor.helperPid()) }));',
        'await call;',
      ].join('\n'),
    );
    const platform = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let printed = '';
    platform.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    expect(await waitUntil(() => readPid(file) !== undefined && printed.includes('}'))).toBe(true);
    const helperPid = (JSON.parse(printed) as { helper: number }).helper;
    expect(isRunning(helperPid)).toBe(true);
    platform.kill('SIGKILL');
    expect(await waitUntil(() => !isRunning(readPid(file)!) && !isRunning(helperPid))).toBe(true);
  });
});

describe('killSession', () => {
  it('kills every process group of a session, and never the platform’s own', async () => {
    // A session leader, a child of it in a group of its own, and a grandchild in that group.
    const script = [
      'import os, sys, time',
      'os.setsid()',
      'if os.fork() == 0:',
      '    os.setpgid(0, 0)',
      '    os.fork()',
      '    time.sleep(3600)',
      'print(os.getpid(), flush=True)',
      'time.sleep(3600)',
    ].join('\n');
    const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const members = () => sessionMembers(child.pid!);
    expect(await waitUntil(() => printed.includes('\n') && members().length === 3)).toBe(true);
    expect(killSession(sessionOf('self')!)).toBe(0);
    expect(killSession(child.pid!)).toBe(2);
    expect(await waitUntil(() => members().every((pid) => !isRunning(pid)))).toBe(true);
  });
});

describe('the native spawn helper itself', () => {
  it('keeps what it starts in its own session, so that a command the platform never heard of is killed after it', async () => {
    // The platform's side played by hand: a run request, and no reply read, as when the helper is killed between
    // starting a command and telling of it.
    const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-helper-'));
    const file = path.join(dir, 'pid');
    const helper = spawn(NATIVE_HELPER_PATH, [], { cwd: '/', env: {}, stdio: ['pipe', 'ignore', 'inherit'] });
    try {
      helper.stdin.write(
        encodeRun({
          type: 'run',
          id: 1,
          argv: ['sh', '-c', `echo $$ > ${file}; sleep 3600`],
          timeoutMs: 60_000,
          outputCap: 1024,
          searchPath: SAFE_PATH,
        }),
      );
      expect(await waitUntil(() => readPid(file) !== undefined)).toBe(true);
      const command = readPid(file)!;
      expect(sessionMembers(helper.pid!)).toContain(command);
      process.kill(helper.pid!, 'SIGKILL');
      await new Promise((resolve) => helper.once('exit', resolve));
      // Killed outright, the helper could not kill it: the command runs on, still in the helper's session.
      expect(isRunning(command)).toBe(true);
      expect(killSession(helper.pid!)).toBe(1);
      expect(await waitUntil(() => !isRunning(command))).toBe(true);
    } finally {
      helper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is built from the current source (npm install and npm run build build it with cc), and chosen when the setting is auto', () => {
    expect(nativeHelperBuilt()).toBe(true);
    const source = path.join(PACKAGE_ROOT, 'native', 'spawn-helper.c');
    expect(
      statSync(NATIVE_HELPER_PATH).mtimeMs,
      `${NATIVE_HELPER_PATH} is older than ${source}: run npm run build:native`,
    ).toBeGreaterThanOrEqual(statSync(source).mtimeMs);
    expect(chooseSpawnHelper('auto')).toBe('native');
    expect(chooseSpawnHelper('node')).toBe('node');
  });

  it('refuses an argument holding a NUL byte before anything starts', async () => {
    await expect(helped.native.exec(['echo', 'a\0b'], options)).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: 'program "echo" was not started: an argument holds a NUL byte',
    });
  });

  it('refuses arguments longer than a request may be, and what runs in it goes on', async () => {
    const running = helped.native.exec(['sh', '-c', 'sleep 0.2; echo still here'], options);
    await expect(helped.native.exec(['echo', 'x'.repeat(5 * 1024 * 1024)], options)).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      message: expect.stringMatching(/^program "echo" was not started: its arguments exceed \d+ bytes$/),
    });
    expect(await running).toMatchObject({ stdout: 'still here\n', exitCode: 0 });
  });

  /** Runs the helper binary on a raw input and returns its exit code and what it said on stderr. */
  function raw(input: Buffer): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(NATIVE_HELPER_PATH, [], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (code) => resolve({ code, stderr }));
      child.stdin.end(input);
    });
  }

  const frame = (payload: Buffer) => Buffer.concat([Buffer.from(Uint32Array.of(payload.length).buffer), payload]);
  const run = (argc: number, strings: string) =>
    frame(
      Buffer.concat([Buffer.from([1]), Buffer.from(Uint32Array.of(1, 1000, 1024, argc).buffer), Buffer.from(strings)]),
    );

  // The platform is the only writer: a frame it did not mean is a bug there, so the helper stops rather than guess.
  it.each([
    ['an unknown type', frame(Buffer.from([9, 1, 0, 0, 0])), 'unknown type'],
    ['a frame longer than 4 MiB', Buffer.from(Uint32Array.of(5 * 1024 * 1024).buffer), 'frame too long'],
    ['no argv', run(0, `${SAFE_PATH}\0`), 'argc'],
    ['fewer strings than argc', run(3, `${SAFE_PATH}\0echo\0`), 'fewer strings than argc'],
    ['more strings than argc', run(1, `${SAFE_PATH}\0echo\0hi\0`), 'more strings than argc'],
    ['an unterminated string', run(1, `${SAFE_PATH}\0echo`), 'unterminated string'],
    ['an empty program', run(1, `${SAFE_PATH}\0\0`), 'empty program'],
  ])('exits with code 2 on %s, saying what was wrong', async (_, input, why) => {
    expect(await raw(input)).toEqual({ code: 2, stderr: `twisterlab spawn helper: malformed request (${why})\n` });
  });

  // Pipes deliver what they like: a request the helper reads a byte at a time, and replies cut anywhere, still
  // make the same frames.
  it('reads a request that arrives a byte at a time, and its replies read the same however they are cut', async () => {
    const child = spawn(NATIVE_HELPER_PATH, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const request = encodeRun({
      type: 'run',
      id: 7,
      argv: ['sh', '-c', 'echo hi; echo there >&2; exit 4'],
      timeoutMs: 5_000,
      outputCap: 1024,
      searchPath: SAFE_PATH,
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    const closed = new Promise((resolve) => child.on('close', resolve));
    for (const byte of request) {
      child.stdin.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const describe = () => ({ program: 'sh', searchPath: SAFE_PATH });
    // Once the answer is in, closing the input ends the helper.
    while (!Buffer.concat(output).includes('there\n')) await new Promise((r) => setTimeout(r, 10));
    child.stdin.end();
    await closed;
    const bytes = Buffer.concat(output);
    for (const size of [1, 2, 3, 5, 7, 13, bytes.length]) {
      const replies: unknown[] = [];
      const read = frameReader((payload) => replies.push(decodeReply(payload, describe)));
      for (let at = 0; at < bytes.length; at += size) read(bytes.subarray(at, at + size));
      expect(replies, `cut every ${size} bytes`).toEqual([
        { type: 'started', id: 7, pid: expect.any(Number) },
        {
          type: 'done',
          id: 7,
          result: {
            stdout: 'hi\n',
            stderr: 'there\n',
            exitCode: 4,
            signal: null,
            durationMs: expect.any(Number),
            truncated: false,
            timedOut: false,
          },
        },
      ]);
    }
  });

  it('exits quietly when its input closes with nothing running', async () => {
    expect(await raw(Buffer.alloc(0))).toEqual({ code: 0, stderr: '' });
  });
});
