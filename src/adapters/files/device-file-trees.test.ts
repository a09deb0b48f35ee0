import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { startTestSshd, type TestSshd } from '../../../test/helpers/sshd.ts';
import { createSshExecutor } from '../devices/ssh/ssh-executor.ts';
import { SshPool } from '../devices/ssh/ssh-pool.ts';
import { createDeviceFileTrees } from './device-file-trees.ts';

const run = { timeoutMs: 10_000, outputCap: 64 * 1024 };

// Two ways a device can lack SFTP: no subsystem declared (sshd refuses the request and keeps the session), or one
// pointing at a program that is not there (the session starts, then exits 127, about two seconds later: fewer tries,
// still more than the 10 sessions sshd allows on one connection).
describe.each([
  ['no sftp subsystem', [] as string[], 50],
  ['an sftp subsystem whose program is missing', ['Subsystem sftp /nonexistent/sftp-server'], 12],
])('SFTP that cannot start on a device (%s)', (_name, extraConfig, attempts) => {
  let sshd: TestSshd;
  let pool: SshPool;
  let setup: ReturnType<typeof build>;

  function build() {
    const spec = sshd.device({ id: 'edge' });
    const trees = createDeviceFileTrees({ pool, spec: () => spec, isLocal: () => false });
    return { trees, executor: createSshExecutor(() => spec, pool) };
  }

  beforeAll(async () => {
    // No forced command: it would stand in for the subsystem.
    sshd = await startTestSshd({ extraConfig, logCommands: false });
    pool = new SshPool({ connectTimeoutMs: 5_000, logger: silentLogger });
    setup = build();
  });
  afterAll(async () => {
    await pool?.close();
    await sshd?.stop();
  });

  it('answers each failed start with a clear error and leaves the device usable for commands after many of them', async () => {
    for (let i = 0; i < attempts; i += 1) {
      await expect(setup.trees.withTree('edge', undefined, async () => 'never')).rejects.toMatchObject({
        code: 'COMMAND_FAILED',
        message: expect.stringContaining('could not start SFTP on edge'),
      });
    }
    // sshd allows 10 sessions per connection: leaked ones would make this channel fail to open.
    const result = await setup.executor.exec(['echo', 'still here'], run);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'still here\n' });
  }, 120_000);

  it('lets a command already running on the connection finish when an SFTP start fails beside it', async () => {
    const running = setup.executor.exec(['sh', '-c', 'sleep 1; echo finished'], run);
    await expect(setup.trees.withTree('edge', undefined, async () => 'never')).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
    });
    expect(await running).toMatchObject({ exitCode: 0, stdout: 'finished\n' });
    expect(await setup.executor.exec(['echo', 'next'], run)).toMatchObject({ exitCode: 0, stdout: 'next\n' });
  });
});
