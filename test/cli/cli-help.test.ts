// The `twisterlab` command line as a process: help on every command that runs nothing (no port, no data
// directory, no migration), usage errors named with a suggestion and exit 2, the version without the runtime,
// colours only where asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliWith } from '../helpers/run-cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/twisterlab.js');
const RECORDER = path.join(import.meta.dirname, 'import-recorder.mjs');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const scratch = mkdtempSync(path.join(tmpdir(), 'twisterlab-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}, recordImports = false) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR_FORCE'].includes(k)),
  );
  const result = spawnSync(process.execPath, [...(recordImports ? ['--import', RECORDER] : []), CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    timeout: 60_000,
    env: { ...clean, ...env },
  });
  const imports = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('import '))
    .map((l) => l.slice(7));
  const stderr = result.stderr
    .split('\n')
    .filter((l) => !l.startsWith('import '))
    .join('\n');
  return { code: result.status, stdout: result.stdout, stderr, imports };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('help runs nothing', { timeout: 120_000 }, () => {
  for (const command of ['serve', 'migrate', 'mcp', 'worker']) {
    it(`${command} --help prints the command's help, listens on no port and opens no store`, async () => {
      const port = await freePort();
      const dataDir = path.join(scratch, `${command}-data`);
      const run = cli(
        [command, '--help'],
        { PORT: String(port), TWISTERLAB_DATA_DIR: dataDir, HOST: '127.0.0.1' },
        true,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: twisterlab ${command} `));
      expect(existsSync(dataDir), 'the data directory was created').toBe(false);
      expect(await refusesConnections(port)).toBe(true);
      expect(
        run.imports.filter((url) =>
          /\/src\/(main\/runtime|config\.ts|config\/(fields|client)|adapters\/store|mcp)|\/node_modules\/(fastify|@electric-sql|pg)\//.test(
            url,
          ),
        ),
      ).toEqual([]);
    });
  }

  it('every command and subcommand has its help, with the exit codes where they matter', async () => {
    for (const args of [
      ['ticket', 'submit'],
      ['ticket', 'show'],
      ['ticket', 'confirm'],
      ['ticket', 'reopen'],
      ['tickets'],
      ['agents'],
      ['devices'],
      ['devices', 'trust'],
      ['devices', 'run'],
      ['approvals'],
      ['approve'],
      ['deny'],
      ['runbooks'],
      ['runbooks', 'dry-run'],
      ['runbooks', 'validate'],
      ['completion'],
    ]) {
      const run = await runCliWith([...args, '--help']);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout, args.join(' ')).toMatch(new RegExp(`^Usage: twisterlab ${args.join(' ')} `));
    }
    expect((await runCliWith(['ticket', 'submit', '--help'])).stdout).toMatch(
      /--timeout <duration>[\s\S]*Exit codes:[\s\S]*6 {2}the event stream was lost/,
    );
    expect((await runCliWith(['help', 'approve'])).stdout).toMatch(/--wait[\s\S]*7 {2}--timeout expired/);
    expect((await runCliWith(['--help'])).stdout).toMatch(/Exit codes:\n {2}0 {2}done/);
  });

  it('--version prints the version without importing the runtime, the config or a command', () => {
    const run = cli(['--version'], {}, true);
    expect(run.stdout.trim()).toBe(VERSION);
    expect(run.code).toBe(0);
    const ours = [
      ...new Set(run.imports.filter((url) => url.includes('/src/')).map((url) => url.slice(url.indexOf('/src/') + 1))),
    ].sort();
    expect(ours).toEqual([
      'src/adapters/package-root.ts',
      'src/cli/colour.ts',
      'src/cli/exit-codes.ts',
      'src/cli/program.ts',
      'src/config/terminal.ts',
      'src/main/cli.ts',
    ]);
  });
});

describe('usage errors', () => {
  it('suggest the command or option meant, exit 2, and run nothing', async () => {
    let run = await runCliWith(['tikets']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(/unknown command 'tikets'\n\(Did you mean tickets\?\)/);
    run = await runCliWith(['ticket', 'sumbit', 'the shop is down']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Did you mean submit\?/);
    run = await runCliWith(['ticket', 'submit', 'the shop is down', '--wiat']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--wiat'\n\(Did you mean --wait\?\)/);
    run = await runCliWith(['devices', 'trust', 'web-1', '--fingerprint', 'SHA256:x', '--jsn']);
    expect(run.stderr).toMatch(/Did you mean --json\?/);
  });

  it('name the missing argument or option', async () => {
    expect((await runCliWith(['ticket', 'submit'])).stderr).toMatch(/missing required argument 'text'/);
    expect((await runCliWith(['ticket', 'show'])).stderr).toMatch(/missing required argument 'id'/);
    expect((await runCliWith(['ticket', 'reopen', 't1'])).stderr).toMatch(
      /required option '--reason <text>' not specified/,
    );
    expect((await runCliWith(['devices', 'run', 'web-1'])).stderr).toMatch(/missing required argument 'command'/);
    expect((await runCliWith(['runbooks', 'validate'])).stderr).toMatch(/missing required argument 'dir'/);
    for (const argv of [['ticket', 'submit'], ['approve'], ['deny', 'a1']])
      expect((await runCliWith(argv)).code).toBe(2);
  });

  it('name a bad value', async () => {
    let run = await runCliWith(['ticket', 'submit', 'the shop is down', '--wait', '--timeout', 'soon']);
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toMatch(/option '--timeout <duration>' argument 'soon' is invalid/);
    run = await runCliWith(['approvals', '--status', 'waiting']);
    expect(run.stderr).toMatch(/Allowed choices are pending, approved, denied, expired, consumed/);
    run = await runCliWith(['completion', 'fish']);
    expect(run.stderr).toMatch(/Allowed choices are bash, zsh/);
  });

  it('a command alone shows its subcommands and exits 2; `help` exits 0', async () => {
    const run = await runCliWith(['ticket']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/submit \[options\] <text>/);
    expect(await runCliWith([])).toMatchObject({ code: 2 });
    expect(await runCliWith(['help'])).toMatchObject({ code: 0 });
  });
});

describe('colour', { timeout: 120_000 }, () => {
  const ESC = '\u001b[';
  it('only when asked for: FORCE_COLOR without a TTY, never with NO_COLOR, never by default in a pipe', async () => {
    expect(cli(['--help']).stdout).not.toContain(ESC);
    expect(cli(['--help'], { FORCE_COLOR: '1' }).stdout).toContain(`${ESC}1mUsage:`);
    expect(cli(['--help'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(cli(['--help'], { FORCE_COLOR: '0' }).stdout).not.toContain(ESC);
    expect(cli(['tikets'], { FORCE_COLOR: '1' }).stderr).toContain(`${ESC}31merror: unknown command`);
    expect((await runCliWith(['--help'], undefined, { colour: true })).stdout).toContain(`${ESC}36mticket`);
  });
});
