import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { createLocalInventory } from '../../adapters/devices/local-inventory.ts';
import { DEFAULT_LOCAL_ALLOWLIST } from '../../core/allowlist.ts';
import { silentLogger } from '../../core/logger.ts';
import type { AllowRule } from '../../core/ports.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { createCommanderAgent } from './commander-agent.ts';

const sandbox = mkdtempSync(join(tmpdir(), 'commander-test-'));
const allowedFile = join(sandbox, 'allowed');
const evilFile = join(sandbox, 'evil');
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

/** Pids of the live (not zombie) processes whose command line is exactly argv. */
function processesRunning(argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted &&
          !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
        );
      } catch {
        return false; // gone while looking
      }
    })
    .map(Number);
}

const testRules: AllowRule[] = [
  ...DEFAULT_LOCAL_ALLOWLIST,
  { program: 'touch', args: [allowedFile] },
  // An unusual length, so the test can find this very process (and see it gone).
  { program: 'sleep', args: ['3517'] },
  { program: 'false', args: [] },
];

function registryWith(
  options: { allow?: AllowRule[]; timeoutMs?: number; outputCap?: number } = {},
): CapabilityRegistry {
  const registry = new CapabilityRegistry({ logger: silentLogger });
  registry.register(
    createCommanderAgent({
      inventory: createLocalInventory({ allow: options.allow ?? testRules }),
      timeoutMs: options.timeoutMs ?? 5_000,
      outputCap: options.outputCap ?? 64 * 1024,
    }),
  );
  return registry;
}

const registry = registryWith();
const run = (command: string, deviceId = 'local') =>
  registry.invoke('commander.execute_command', { device_id: deviceId, command }, { actor: 'test' });

describe('commander.execute_command', () => {
  it('runs an allowed command and returns its output with exit code 0', async () => {
    const result = await run('uptime');
    expect(result).toMatchObject({
      ok: true,
      output: { device_id: 'local', argv: ['uptime'], exit_code: 0, signal: null, truncated: false },
    });
    if (result.ok) expect((result.output as { stdout: string }).stdout).toMatch(/load average/);
  });

  it('runs df -h and shows the root filesystem', async () => {
    const result = await run('df -h');
    expect(result.ok).toBe(true);
    if (result.ok) expect((result.output as { stdout: string }).stdout).toMatch(/\s\/\n/);
  });

  it('reports a non-zero exit code as data, not as an error', async () => {
    expect(await run('false')).toMatchObject({ ok: true, output: { argv: ['false'], exit_code: 1 } });
  });

  it('is a change-risk capability whose timeout sits above the command timeout', () => {
    expect(registryWith({ timeoutMs: 3_000 }).get('commander.execute_command')).toMatchObject({
      risk: 'change',
      timeoutMs: 5_000,
    });
  });

  it('assesses a call as read when a read-only rule allows it, and as change otherwise', () => {
    const risk = (command: string, device_id = 'local') =>
      registry.riskOf('commander.execute_command', { device_id, command });
    expect(risk('df -h')).toBe('read');
    expect(risk(`touch ${allowedFile}`)).toBe('change');
    expect(risk('rm -rf /tmp/x')).toBe('change');
    expect(risk('uptime; id')).toBe('change');
    expect(risk('uptime', 'db-01')).toBe('change');
  });

  it('keeps at most the output cap and flags the truncation', async () => {
    const result = await registryWith({ outputCap: 16 }).invoke(
      'commander.execute_command',
      { device_id: 'local', command: 'cat /proc/meminfo' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({ ok: true, output: { truncated: true, exit_code: 0 } });
    if (result.ok) expect((result.output as { stdout: string }).stdout).toHaveLength(16);
  });

  it.each([
    'rm -rf /tmp/x',
    'ls; id',
    'uptime && id',
    'uptime || id',
    'uptime | sh',
    'uptime > /tmp/x',
    'echo $(id)',
    'uptime `id`',
    'uptime\nid',
    'uptime ${IFS}id',
    'cat /etc/shadow',
    'cat /proc/loadavg /etc/shadow',
    'cat /proc/self/environ',
    'df -h --output=x',
    'df -h -x',
    'du -sh --files0-from=/etc/shadow',
    'du -sh /var/log/*',
    '/usr/bin/uptime',
    'sh -c uptime',
    'env uptime',
    'hostname evil',
    'date -s 2000-01-01',
    'ip -brief addr add 10.9.9.9/32 dev lo',
    '"uptime;id"',
    'uptime # comment',
    'uptime\u202e',
    '',
  ])('refuses %j with COMMAND_NOT_ALLOWED', async (command) => {
    expect(await run(command)).toMatchObject({ ok: false, error: { code: 'COMMAND_NOT_ALLOWED' } });
  });

  it('runs nothing at all when a command is refused', async () => {
    const attempts = [
      `touch ${evilFile}`,
      `touch ${allowedFile} ${evilFile}`,
      `touch ${allowedFile}; touch ${evilFile}`,
      `touch ${allowedFile} && touch ${evilFile}`,
      `touch ${allowedFile} | touch ${evilFile}`,
      `touch ${allowedFile}\ntouch ${evilFile}`,
      `touch $(echo ${evilFile})`,
      `touch ${sandbox}/*`,
      `touch -r ${allowedFile} ${evilFile}`,
      `touch "${allowedFile}" '${evilFile}'`,
      `/usr/bin/touch ${allowedFile}`,
      `touch ${allowedFile} >${evilFile}`,
    ];
    for (const command of attempts) {
      expect(await run(command), command).toMatchObject({ ok: false, error: { code: 'COMMAND_NOT_ALLOWED' } });
    }
    expect(readdirSync(sandbox)).toEqual([]);
    // The sentinel itself works: the one exact allowed form does run.
    expect(await run(`touch ${allowedFile}`)).toMatchObject({ ok: true, output: { exit_code: 0 } });
    expect(readdirSync(sandbox)).toEqual(['allowed']);
  });

  it('names the refused program in the error', async () => {
    expect(await run('rm -rf /tmp/x')).toMatchObject({
      ok: false,
      error: { message: `"rm" is not on the device's allow-list` },
    });
  });

  it('refuses an unknown device with DEVICE_NOT_FOUND', async () => {
    expect(await run('uptime', 'db-01')).toMatchObject({
      ok: false,
      error: { code: 'DEVICE_NOT_FOUND', details: { known: ['local'] } },
    });
  });

  it('rejects unknown input fields', async () => {
    const result = await registry.invoke(
      'commander.execute_command',
      { device_id: 'local', command: 'uptime', shell: true },
      { actor: 'test' },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  // The command would sleep for an hour: only the 200 ms timeout can end it before this test times out.
  it('kills a command that runs past its timeout and fails with COMMAND_TIMEOUT', async () => {
    const result = await registryWith({ timeoutMs: 200 }).invoke(
      'commander.execute_command',
      { device_id: 'local', command: 'sleep 3517' },
      { actor: 'test' },
    );
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'COMMAND_TIMEOUT',
        message: expect.stringContaining('ran past 200 ms'),
        details: { argv: ['sleep', '3517'], signal: 'SIGKILL', exit_code: null },
      },
    });
    // Killed, not just left behind: no such process remains.
    expect(processesRunning(['sleep', '3517'])).toEqual([]);
  });
});
