// A real OpenSSH server for tests: its own host key, a client key generated for the run, 127.0.0.1 on a
// free high port, started as a child process (no system service). The test key's authorized_keys entry
// runs a logging shell that records the exact command string sshd received, then runs it with /bin/sh -c
// as a login shell would — so a test can prove what the server actually ran.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { parseDeviceSpec, type DeviceInput, type SshDeviceSpec } from '../../src/core/device-spec.ts';

export const SSHD_BINARY = '/usr/sbin/sshd';

export interface TestSshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  dir: string;
  clientKeyFile: string;
  /** `ssh-ed25519 AAAA…` of the server's host key. */
  hostPublicKey: string;
  hostFingerprint: string;
  /** Every command string the server ran, in order. */
  commands(): string[];
  /** sshd's own log (LogLevel VERBOSE). */
  log(): string;
  /** A device spec pointing at this server with the test key and the trusted host key. */
  device(overrides?: Partial<DeviceInput>): SshDeviceSpec;
  stop(): Promise<void>;
}

/**
 * Writes a devices file with one device, `edge`, reaching this server with the test key (`client_key`, next to
 * the file) and its trusted host key; `extra` lines are appended to the device's entry.
 */
export function writeEdgeInventory(file: string, sshd: TestSshd, extra: string[] = []): void {
  writeFileSync(
    file,
    [
      'devices:',
      '  - id: edge',
      '    host: 127.0.0.1',
      `    port: ${sshd.port}`,
      `    user: ${sshd.user}`,
      '    auth: { method: key, keyFile: client_key }',
      `    hostKey: "${sshd.hostPublicKey}"`,
      ...extra,
    ].join('\n'),
  );
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD_BINARY);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(
        `sshd exited with ${child.exitCode}: ${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`,
      );
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port} within 10 s`);
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'twisterlab-test', '-f', file]);
}

/** `logCommands: false` leaves out the logging shell (for benchmarks: sshd runs commands with the user's shell). */
export async function startTestSshd(
  options: { extraConfig?: string[]; logCommands?: boolean } = {},
): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-sshd-'));
  chmodSync(dir, 0o755);
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  keygen(hostKey);
  keygen(clientKey);
  const commandLog = path.join(dir, 'commands.log');
  const logShell = path.join(dir, 'log-shell');
  writeFileSync(
    logShell,
    `#!/bin/sh\nprintf '%s' "$SSH_ORIGINAL_COMMAND" | base64 -w0 >> ${commandLog}\necho >> ${commandLog}\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`,
  );
  chmodSync(logShell, 0o755);
  const publicKey = readFileSync(`${clientKey}.pub`, 'utf8').trim();
  const keyOptions = options.logCommands === false ? '' : `command="${logShell}" `;
  writeFileSync(path.join(dir, 'authorized_keys'), `${keyOptions}${publicKey}\n`);
  const port = await freePort();
  const logFile = path.join(dir, 'sshd.log');
  writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'LogLevel VERBOSE',
      'MaxSessions 10',
      'MaxStartups 100:30:200',
      ...(options.extraConfig ?? []),
    ].join('\n'),
  );
  // sshd's privilege separation directory; a system install creates it at boot, we are not booted.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD_BINARY, ['-D', '-f', path.join(dir, 'sshd_config'), '-E', logFile], { stdio: 'ignore' });
  await waitForPort(port, child, logFile);
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const hostFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], {
    encoding: 'utf8',
  }).split(' ')[1]!;
  const user = userInfo().username;
  return {
    host: '127.0.0.1',
    port,
    user,
    dir,
    clientKeyFile: clientKey,
    hostPublicKey,
    hostFingerprint,
    commands: () =>
      existsSync(commandLog)
        ? readFileSync(commandLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => Buffer.from(l, 'base64').toString('utf8'))
        : [],
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    device: (overrides = {}) =>
      parseDeviceSpec(
        {
          id: 'sshd-test',
          host: '127.0.0.1',
          port,
          user,
          auth: { method: 'key', keyFile: clientKey },
          hostKey: hostPublicKey,
          ...overrides,
        },
        'file',
      ),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
