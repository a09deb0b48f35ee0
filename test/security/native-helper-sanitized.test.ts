// The native spawn helper is C: it is built here a second time with AddressSanitizer and UndefinedBehaviorSanitizer
// (and LeakSanitizer, at its exit) and driven through every path of its protocol — output, a cap crossed, a program
// not found, a timeout, a cancel, a leftover holding the pipes, a malformed request — and any report on its stderr
// fails the test. The platform's own build is untouched (dist/native/).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/adapters/package-root.ts';
import { SAFE_PATH } from '../../src/adapters/devices/local-run.ts';
import { decodeReply, encodeCancel, encodeRun, frameReader } from '../../src/adapters/devices/spawn-helper.ts';
import type { HelperReply } from '../../src/adapters/devices/spawn-helper-protocol.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-helper-asan-'));
const binary = path.join(dir, 'spawn-helper-sanitized');

beforeAll(() => {
  const built = spawnSync(
    process.env.CC || 'cc',
    [
      '-O1',
      '-g',
      '-fsanitize=address,undefined',
      '-fno-sanitize-recover=all',
      '-fno-omit-frame-pointer',
      '-std=c11',
      '-o',
      binary,
      path.join(PACKAGE_ROOT, 'native', 'spawn-helper.c'),
    ],
    { encoding: 'utf8' },
  );
  // Fails loudly: CI installs gcc, whose runtime libraries include the sanitizers'.
  expect(built.status, `the sanitized build failed: ${built.stderr}`).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sends the frames, then waits for one final reply per run, closes the helper's input and waits for its exit. */
async function drive(
  frames: (send: (frame: Buffer) => void, replies: HelperReply[]) => Promise<void>,
  runs: number,
): Promise<{ replies: HelperReply[]; code: number | null; stderr: string }> {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
  const replies: HelperReply[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on(
    'data',
    frameReader((payload) => replies.push(decodeReply(payload, () => ({ program: '?', searchPath: SAFE_PATH })))),
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await frames((frame) => child.stdin.write(frame), replies);
  const final = () => replies.filter((r) => r.type !== 'started').length;
  while (final() < runs && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  child.stdin.end();
  return { replies, code: await exited, stderr };
}

const run = (id: number, argv: string[], options: { timeoutMs?: number; outputCap?: number } = {}) =>
  encodeRun({
    type: 'run',
    id,
    argv,
    timeoutMs: options.timeoutMs ?? 10_000,
    outputCap: options.outputCap ?? 4096,
    searchPath: SAFE_PATH,
  });

const finalOf = (replies: HelperReply[], id: number) => replies.find((r) => r.id === id && r.type !== 'started');

describe('the native spawn helper under AddressSanitizer and UndefinedBehaviorSanitizer', () => {
  it('answers every kind of request with no report', async () => {
    const { replies, code, stderr } = await drive(async (send, seen) => {
      send(run(1, ['echo', 'hello']));
      send(run(2, ['head', '-c', '300000', '/dev/zero'], { outputCap: 1000 }));
      send(run(3, ['no-such-program-xyz']));
      send(run(4, ['sleep', '30'], { timeoutMs: 200 }));
      send(run(5, ['sleep', '30']));
      send(run(6, ['sh', '-c', 'sleep 30 & echo left']));
      send(run(7, ['sh', '-c', 'exit 0'], { outputCap: 0 }));
      // Cancel 5 once it runs.
      while (!seen.some((r) => r.id === 5 && r.type === 'started')) await new Promise((r) => setTimeout(r, 10));
      send(encodeCancel(5));
      send(encodeCancel(999)); // nothing runs under that id: ignored
    }, 7);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(finalOf(replies, 1)).toMatchObject({ type: 'done', result: { stdout: 'hello\n', exitCode: 0 } });
    const capped = finalOf(replies, 2) as Extract<HelperReply, { type: 'done' }>;
    expect(capped.result).toMatchObject({ truncated: true, exitCode: 0 });
    expect(capped.result.stdout).toHaveLength(1000);
    expect(finalOf(replies, 3)).toMatchObject({ type: 'failed', error: { code: 'COMMAND_FAILED' } });
    expect(finalOf(replies, 4)).toMatchObject({ type: 'done', result: { timedOut: true, signal: 'SIGKILL' } });
    expect(finalOf(replies, 5)).toMatchObject({ type: 'done', result: { timedOut: false, signal: 'SIGKILL' } });
    expect(finalOf(replies, 6)).toMatchObject({ type: 'done', result: { stdout: 'left\n', exitCode: 0 } });
    expect(finalOf(replies, 7)).toMatchObject({ type: 'done', result: { stdout: '', exitCode: 0 } });
  });

  it('stops on a malformed request with its own message and no report', async () => {
    const { code, stderr } = await drive(async (send) => {
      send(run(1, ['echo', 'ok']));
      send(Buffer.from([6, 0, 0, 0, 1, 2, 0, 0, 0, 0])); // a run frame far too short
    }, 0);
    expect(code).toBe(2);
    expect(stderr).toBe('twisterlab spawn helper: malformed request (run too short)\n');
  });
});
