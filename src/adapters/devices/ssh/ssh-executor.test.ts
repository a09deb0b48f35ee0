import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import type { SshDeviceSpec } from '../../../core/device-spec.ts';
import { startTestSshd, type TestSshd } from '../../../../test/helpers/sshd.ts';
import { scanHostKey } from './ssh-connect.ts';
import { createSshExecutor } from './ssh-executor.ts';
import { SshPool } from './ssh-pool.ts';

const options = { timeoutMs: 10_000, outputCap: 64 * 1024 };
let sshd: TestSshd;
const pools: SshPool[] = [];

function executorFor(spec: SshDeviceSpec, connectTimeoutMs = 5_000) {
  const pool = new SshPool({ connectTimeoutMs, logger: silentLogger });
  pools.push(pool);
  return { pool, executor: createSshExecutor(() => spec, pool) };
}

/** Processes on the server (this machine) whose command line contains the marker. */
function serverProcesses(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((l) => !l.includes('pgrep'));
  } catch {
    return [];
  }
}

/** Polls until the condition holds: bounded only by the test's own timeout, never by a guess of how long it takes. */
async function waitFor(condition: () => boolean): Promise<true> {
  while (!condition()) await new Promise((r) => setTimeout(r, 25));
  return true;
}

beforeAll(async () => {
  sshd = await startTestSshd();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await sshd?.stop();
});

describe('the SSH executor against a real sshd', () => {
  it('runs a command and returns stdout, stderr and the exit code apart', async () => {
    const { executor } = executorFor(sshd.device());
    const result = await executor.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], options);
    expect(result).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
      signal: null,
      truncated: false,
      timedOut: false,
    });
    expect(await executor.exec(['true'], options)).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('passes every argument verbatim through the remote shell: quotes, $(), backticks, ; and newlines stay text', async () => {
    const { executor } = executorFor(sshd.device());
    const args = ["it's", '$(id)', '`id`', '; touch /tmp/twisterlab-pwned', 'a\nb', '"$HOME"', '*', '\\'];
    const result = await executor.exec(['printf', '%s|', ...args], options);
    expect(result.stdout).toBe(args.map((a) => `${a}|`).join(''));
    expect(serverProcesses('twisterlab-pwned')).toEqual([]);
  });

  it('gives the program only a fixed PATH and a C.UTF-8 locale', async () => {
    const { executor } = executorFor(sshd.device());
    const result = await executor.exec(['env'], options);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'LANG=C.UTF-8',
      'LC_ALL=C.UTF-8',
      expect.stringMatching(/^PATH=\/usr\/local\/sbin:/),
    ]);
  });

  it('keeps at most the output cap of each stream and flags the truncation', async () => {
    const { executor } = executorFor(sshd.device());
    const result = await executor.exec(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" a; echo done >&2'], {
      ...options,
      outputCap: 1000,
    });
    expect(result).toMatchObject({ stdout: 'a'.repeat(1000), stderr: 'done\n', truncated: true, exitCode: 0 });
  });

  // The sleeps (over an hour) outlast the test: only the 500 ms timeout can end the call, and only the kill the sleeps.
  it('kills the remote process group on timeout: the server has no trace of the program or its children after', async () => {
    const { executor } = executorFor(sshd.device());
    const result = await executor.exec(['sh', '-c', 'sleep 4711.1 & sleep 4711.2'], { ...options, timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(await waitFor(() => serverProcesses('sleep 4711').length === 0)).toBe(true);
  });

  it('kills the remote process when the caller cancels', async () => {
    const { executor } = executorFor(sshd.device());
    const marker = `4712.${process.pid}1`;
    const controller = new AbortController();
    const running = executor.exec(['sleep', marker], { ...options, signal: controller.signal });
    expect(await waitFor(() => serverProcesses(`sleep ${marker}`).length === 1)).toBe(true);
    controller.abort();
    expect(await running).toMatchObject({ timedOut: false, signal: 'SIGKILL' });
    expect(await waitFor(() => serverProcesses(`sleep ${marker}`).length === 0)).toBe(true);
  });

  it('still kills the whole group when the cancel comes before the program has even started', async () => {
    const { executor } = executorFor(sshd.device());
    await executor.exec(['true'], options);
    const marker = `4713.${process.pid}2`;
    const controller = new AbortController();
    const running = executor.exec(['sh', '-c', `sleep ${marker} & sleep ${marker}`], {
      ...options,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    expect(await running).toMatchObject({ timedOut: false, signal: 'SIGKILL' });
    // A pause to give a program that escaped the kill time to show up (it can only make the test pass less often).
    await new Promise((r) => setTimeout(r, 500));
    expect(await waitFor(() => serverProcesses(`sleep ${marker}`).length === 0)).toBe(true);
  });

  it('runs every command of a device over one connection', async () => {
    const before = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const { executor } = executorFor(sshd.device());
    for (let i = 0; i < 5; i += 1) await executor.exec(['true'], options);
    await Promise.all([1, 2, 3].map(() => executor.exec(['true'], options)));
    expect((sshd.log().match(/Accepted publickey/g) ?? []).length - before).toBe(1);
  });

  it('never runs more commands at once on a device than its limit, and does reach the limit', async () => {
    const { executor, pool } = executorFor(sshd.device({ maxConcurrency: 2 }));
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, serverProcesses('sleep 0.4711').length);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => executor.exec(['sleep', '0.4711'], options)));
    sampling = false;
    await sampler;
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(most).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 471);
    expect(pool.active('sshd-test')).toBe(0);
  });
});

describe('connecting to an SSH device', () => {
  it('refuses a host key other than the trusted one with HOST_KEY_MISMATCH, and runs nothing', async () => {
    const ran = sshd.commands().length;
    const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    const { executor } = executorFor(sshd.device({ hostKey: other }));
    await expect(executor.exec(['true'], options)).rejects.toMatchObject({
      code: 'HOST_KEY_MISMATCH',
      details: { presented_fingerprint: sshd.hostFingerprint, expected_fingerprint: expect.stringMatching(/^SHA256:/) },
    });
    const { executor: byFingerprint } = executorFor(
      sshd.device({ hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
    );
    await expect(byFingerprint.exec(['true'], options)).rejects.toMatchObject({ code: 'HOST_KEY_MISMATCH' });
    expect(sshd.commands()).toHaveLength(ran);
  });

  it('refuses a device whose host key was never trusted with HOST_KEY_UNKNOWN, naming the key to check', async () => {
    const { executor } = executorFor(sshd.device({ hostKey: null }));
    await expect(executor.exec(['true'], options)).rejects.toMatchObject({
      code: 'HOST_KEY_UNKNOWN',
      message: expect.stringContaining(sshd.hostFingerprint),
    });
  });

  it('accepts the trusted key given as a SHA256 fingerprint', async () => {
    const { executor } = executorFor(sshd.device({ hostKey: sshd.hostFingerprint }));
    expect(await executor.exec(['true'], options)).toMatchObject({ exitCode: 0 });
  });

  it('reports the presented host key without logging in, for the user to check and trust', async () => {
    expect(await scanHostKey('127.0.0.1', sshd.port, 3_000)).toEqual({
      fingerprint: sshd.hostFingerprint,
      type: 'ssh-ed25519',
      publicKey: sshd.hostPublicKey,
    });
  });

  it('fails fast with DEVICE_UNREACHABLE when nothing listens on the port', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const { executor } = executorFor(sshd.device({ port }));
    // The refusal itself, not a timeout: nothing is retried until some deadline.
    await expect(executor.exec(['true'], options)).rejects.toMatchObject({
      code: 'DEVICE_UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('gives up on a server that accepts the connection but never speaks SSH, after the connect timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const { executor } = executorFor(sshd.device({ port }), 300);
      // Our connect timeout (its message names the 300 ms), not the SSH library's own 20 s default.
      await expect(executor.exec(['true'], options)).rejects.toMatchObject({
        code: 'DEVICE_UNREACHABLE',
        message: expect.stringContaining('300 ms'),
      });
    } finally {
      silent.close();
    }
  });

  it('fails with AUTH_FAILED when the server refuses the key, and with AUTH_FAILED naming a missing key file', async () => {
    const { executor } = executorFor(sshd.device({ auth: { method: 'key', keyFile: `${sshd.dir}/host_key` } }));
    await expect(executor.exec(['true'], options)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const { executor: missing } = executorFor(sshd.device({ auth: { method: 'key', keyFile: `${sshd.dir}/nope` } }));
    await expect(missing.exec(['true'], options)).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
  });
});
