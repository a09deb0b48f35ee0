// security.failed_logins on real files: an auth log written by the test, read on this machine and on a device
// over SFTP (a real sshd); only counts come back, and only logs under /var/log or a backup root are read.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_LOG_FIXTURE, FIXTURE_EXPECTED } from '../helpers/auth-log-fixture.ts';
import { startTestSshd, type TestSshd, writeEdgeInventory } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let sshd: TestSshd;
let rt: TestRuntime;
let logs: string;

type Result = { ok: true; output: Record<string, any> } | { ok: false; error: { code: string; message: string } };
const invoke = (input: unknown) =>
  rt.runtime.registry.invoke('security.failed_logins', input, { actor: 'test' }) as Promise<Result>;

beforeAll(async () => {
  sshd = await startTestSshd({ extraConfig: ['Subsystem sftp internal-sftp'], logCommands: false });
  logs = path.join(sshd.dir, 'logs');
  mkdirSync(logs);
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeEdgeInventory(inventory, sshd);
  rt = await startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_BACKUP_ROOTS: logs });
  // Thousands of ordinary lines first, so the failures sit in the tail of a log larger than one read.
  const noise = Array.from(
    { length: 20_000 },
    (_, i) =>
      `Mar  3 08:${String(Math.floor(i / 400)).padStart(2, '0')}:00 web-01 CRON[${i}]: pam_unix(cron:session): session closed for user root`,
  );
  writeFileSync(path.join(logs, 'auth.log'), `${[...noise, AUTH_LOG_FIXTURE].join('\n')}\n`);
});

afterAll(async () => {
  await rt?.close();
  await sshd?.stop();
});

describe('security.failed_logins', () => {
  for (const deviceId of ['local', 'edge']) {
    it(`counts failed logins by source and user in the tail of the log (${deviceId})`, async () => {
      const lines = AUTH_LOG_FIXTURE.split('\n').length;
      const result = await invoke({ device_id: deviceId, log_path: path.join(logs, 'auth.log'), max_lines: lines });
      expect(result.ok).toBe(true);
      expect((result as { output: unknown }).output).toEqual({
        log_path: path.join(logs, 'auth.log'),
        ...FIXTURE_EXPECTED,
      });
      // Counts only: no line of the log comes back.
      expect(JSON.stringify(result)).not.toMatch(/pam_unix|Failed password|preauth/);
    });
  }

  it('reads only the last max_lines lines', async () => {
    // The last 7 lines hold the key-only bot, the su failure and bob's connection; root's repeats are one line earlier.
    const result = await invoke({ log_path: path.join(logs, 'auth.log'), max_lines: 7 });
    expect(result).toMatchObject({
      ok: true,
      output: {
        lines_read: 7,
        failed_count: 3,
        distinct_sources: 2,
        users: [
          { user: 'bob', count: 1 },
          { user: 'git', count: 1 },
          { user: 'root', count: 1 },
        ],
      },
    });
  });

  it('reads the whole log when it is shorter than max_lines', async () => {
    const result = await invoke({ device_id: 'edge', log_path: path.join(logs, 'auth.log'), max_lines: 100_000 });
    expect(result).toMatchObject({ ok: true, output: { lines_read: 20_000 + 21, failed_count: 12 } });
  });

  it('refuses logs outside /var/log and the backup roots, also through a link', async () => {
    symlinkSync('/etc/passwd', path.join(logs, 'passwd.log'));
    for (const logPath of ['/etc/passwd', path.join(logs, 'passwd.log'), `${logs}/../sshd.log`]) {
      expect(await invoke({ log_path: logPath })).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    }
  });
});
