import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { createLocalExecutor, SAFE_PATH } from './local-executor.ts';

const executor = createLocalExecutor();
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

describe('createLocalExecutor', () => {
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
