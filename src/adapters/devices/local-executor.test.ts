import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { PACKAGE_ROOT } from '../package-root.ts';
import { createLocalExecutor, SAFE_PATH, type LocalExecutor } from './local-executor.ts';

const helped = createLocalExecutor(SAFE_PATH, { ownHelper: true });
const direct = createLocalExecutor(SAFE_PATH, { direct: true });
afterAll(() => helped.close());
const options = { timeoutMs: 5_000, outputCap: 64 * 1024 };

/** Gone, or a zombie waiting for a reaper: either way it no longer runs. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

describe.each([['through the spawn helper', helped], ['directly', direct]] as Array<[string, LocalExecutor]>)('the local executor %s', (_, executor) => {
  it('returns stdout, stderr and the exit code apart', async () => {
    const result = await executor.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], options);
    expect(result).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, signal: null, truncated: false, timedOut: false });
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
    const result = await executor.exec(['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\0" a; echo done >&2'], { ...options, outputCap: 1000 });
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stderr).toBe('done\n');
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it('kills the whole process tree on timeout, grandchildren included', async () => {
    const started = Date.now();
    const result = await executor.exec(['sh', '-c', 'sleep 30 & echo $!; sleep 30'], { ...options, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(1);
    expect(await waitUntil(() => !isRunning(grandchild), 2_000)).toBe(true);
  });

  it('kills the process tree when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const result = await executor.exec(['sleep', '30'], { ...options, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.signal).toBe('SIGKILL');
    expect(result.timedOut).toBe(false);
  });

  it('does not wait for a background process that keeps the pipes open after the program exits', async () => {
    const started = Date.now();
    const result = await executor.exec(['sh', '-c', 'sleep 30 & echo $!'], options);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.exitCode).toBe(0);
    expect(await waitUntil(() => !isRunning(Number(result.stdout.trim())), 2_000)).toBe(true);
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
    await expect(executor.exec(['true'], { ...options, signal: controller.signal })).rejects.toMatchObject({ code: 'CAPABILITY_ABORTED' });
  });
});

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

describe('the spawn helper', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-helper-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers many commands at once, each with its own output', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => helped.exec(['sh', '-c', `echo ${i}; echo e${i} >&2; exit ${i % 7}`], options)));
    results.forEach((result, i) => expect(result).toMatchObject({ stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: i % 7, timedOut: false }));
  });

  it('brings back a large output whole, and caps a huge one at the cap', async () => {
    const eightMiB = 8 * 1024 * 1024;
    const whole = await helped.exec(['head', '-c', String(eightMiB), '/dev/zero'], { ...options, outputCap: 16 * 1024 * 1024 });
    expect(whole.stdout.length).toBe(eightMiB);
    expect(whole.truncated).toBe(false);
    const capped = await helped.exec(['sh', '-c', 'head -c 20000000 /dev/zero; echo tail >&2'], { ...options, outputCap: 1024 * 1024 });
    expect(capped.stdout.length).toBe(1024 * 1024);
    expect(capped.stderr).toBe('tail\n');
    expect(capped.truncated).toBe(true);
    expect(capped.exitCode).toBe(0);
  });

  it('fails the commands running in a helper that dies, kills them, and starts a new helper for the next', async () => {
    const files = [0, 1, 2].map((i) => path.join(dir, `pid-${i}`));
    await helped.exec(['true'], options);
    const first = helped.helperPid()!;
    expect(first).toBeGreaterThan(1);
    const calls = files.map((file) => helped.exec(['sh', '-c', `echo $$ > ${file}; sleep 30`], { ...options, timeoutMs: 60_000 }));
    const failures = calls.map((call) => call.then(() => undefined, (error: unknown) => error));
    expect(await waitUntil(() => files.every((file) => readPid(file) !== undefined), 10_000)).toBe(true);
    const commands = files.map((file) => readPid(file)!);
    process.kill(first, 'SIGKILL');
    for (const error of await Promise.all(failures)) {
      expect(error).toMatchObject({ code: 'COMMAND_FAILED', message: expect.stringMatching(/"sh" did not complete: the process that ran it stopped/) });
    }
    for (const pid of commands) expect(await waitUntil(() => !isRunning(pid), 5_000)).toBe(true);
    const after = await helped.exec(['echo', 'again'], options);
    expect(after.stdout).toBe('again\n');
    expect(helped.helperPid()).not.toBe(first);
  });

  it('close() stops the helper and kills what runs in it', async () => {
    const own = createLocalExecutor(SAFE_PATH, { ownHelper: true });
    const file = path.join(dir, 'pid-closed');
    const call = own.exec(['sh', '-c', `echo $$ > ${file}; sleep 30`], { ...options, timeoutMs: 60_000 }).catch((error: unknown) => error);
    expect(await waitUntil(() => readPid(file) !== undefined, 10_000)).toBe(true);
    const helperPid = own.helperPid()!;
    own.close();
    expect(await call).toMatchObject({ code: 'COMMAND_FAILED' });
    expect(await waitUntil(() => !isRunning(readPid(file)!) && !isRunning(helperPid), 5_000)).toBe(true);
  });

  it('kills what runs in it and exits when the platform is killed (its channel closes)', async () => {
    const file = path.join(dir, 'pid-orphan');
    const script = path.join(dir, 'platform.mts');
    const executorModule = path.resolve(import.meta.dirname, 'local-executor.ts');
    writeFileSync(script, [
      `import { createLocalExecutor } from ${JSON.stringify(executorModule)};`,
      'const executor = createLocalExecutor();',
      `const call = executor.exec(['sh', '-c', 'echo $$ > ${file}; sleep 30'], { timeoutMs: 60000, outputCap: 1024 });`,
      'console.log(JSON.stringify({ helper: (await new Promise((r) => setTimeout(r, 50)), executor.helperPid()) }));',
      'await call;',
    ].join('\n'));
    const platform = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    platform.stdout.on('data', (chunk: Buffer) => { printed += chunk.toString(); });
    expect(await waitUntil(() => readPid(file) !== undefined && printed.includes('}'), 20_000)).toBe(true);
    const helperPid = (JSON.parse(printed) as { helper: number }).helper;
    expect(isRunning(helperPid)).toBe(true);
    platform.kill('SIGKILL');
    expect(await waitUntil(() => !isRunning(readPid(file)!) && !isRunning(helperPid), 5_000)).toBe(true);
  });
});
