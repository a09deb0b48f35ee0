// Scenarios on real processes and files: (2) a small HTTP service is killed and comes back through its declared,
// allow-listed restart command, verified by a health check and in the browser (and one that answers is left alone:
// no fault found); (3) logs filling a service's own small file system are rotated after a backup until it is under
// its threshold; (6) a ticket no runbook fits is escalated with its analysis.
// Scenario (4), a fix whose verification fails and is rolled back, is test/backup/rollback.test.ts.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_PATH } from '../../src/adapters/devices/local-executor.ts';
import { freePort } from '../helpers/redis-server.ts';
import {
  fileAndWait,
  phaseTrail,
  scratchDir,
  startScenario,
  statusTrail,
  stepOutput,
  why,
  type Scenario,
} from './scenario-kit.ts';

// The service: answers / and /health, writes its pid where the restart script and the test can find it.
const WEB = `import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
const [port, pidFile] = process.argv.slice(2);
writeFileSync(pidFile, String(process.pid));
createServer((req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end(req.url === '/health' ? 'ok' : '<html><head><title>Shop</title></head><body>Welcome to the shop</body></html>');
}).listen(Number(port), '127.0.0.1');
`;

// The operator's restart command: starts the service detached, returns once it answers (like systemctl restart).
const RESTART = (node: string, web: string, port: number, pidFile: string) => `#!${node}
import { spawn } from 'node:child_process';
const child = spawn(${JSON.stringify(node)}, [${JSON.stringify(web)}, '${port}', ${JSON.stringify(pidFile)}], { detached: true, stdio: 'ignore' });
child.unref();
for (let i = 0; i < 100; i += 1) {
  const up = await fetch('http://127.0.0.1:${port}/health').then((r) => r.ok, () => false);
  if (up) process.exit(0);
  await new Promise((r) => setTimeout(r, 50));
}
console.error('the service did not come up');
process.exit(1);
`;

describe('scenario 2: a web service was killed', () => {
  let s: Scenario;
  let port: number;
  let pidFile: string;
  let bin: string;
  const pid = () => Number(readFileSync(pidFile, 'utf8'));
  const up = () =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );

  beforeAll(async () => {
    port = await freePort();
    const dir = scratchDir();
    bin = path.join(dir, 'ops-bin');
    mkdirSync(bin);
    pidFile = path.join(dir, 'web.pid');
    const web = path.join(dir, 'web.mjs');
    writeFileSync(web, WEB);
    writeFileSync(path.join(bin, 'restart-web'), RESTART(process.execPath, web, port, pidFile));
    chmodSync(path.join(bin, 'restart-web'), 0o755);
    s = await startScenario(
      [
        {
          name: 'web',
          url: `http://127.0.0.1:${port}/health`,
          restart: 'restart-web',
          page: `http://127.0.0.1:${port}/`,
          category: 'application',
        },
      ],
      {
        TWISTERLAB_LOCAL_PATH: `${bin}:${SAFE_PATH}`,
        TWISTERLAB_LOCAL_ALLOW: 'restart-web',
        TWISTERLAB_BROWSER_ALLOW: '127.0.0.1/32',
      },
      {},
      dir,
    );
    execFileSync(path.join(bin, 'restart-web'));
    expect(await up()).toBe(true);
  });
  afterAll(async () => {
    try {
      process.kill(pid(), 'SIGKILL');
    } catch {
      /* already gone */
    }
    await s?.close();
  });

  it('restarts it through its allow-listed restart command, verifies health and the page in the browser, and resolves', async () => {
    const before = pid();
    process.kill(before, 'SIGKILL');
    for (let i = 0; i < 50 && (await up()); i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(await up()).toBe(false);

    const detail = await fileAndWait(
      s.rt.app,
      'Our web service is down! Customers get connection refused on the shop since a few minutes',
    );

    expect(detail.ticket.status, why(detail)).toBe('resolved');
    expect(detail.ticket.outcome).toBe('verified_fix');
    expect(detail.executions.at(-1)!.plan.runbookId).toBe('service-restart');
    expect(phaseTrail(detail, 'diagnose')).toContainEqual(['monitoring.check_service_health', 'succeeded']);
    expect(phaseTrail(detail, 'fix')).toEqual([['commander.execute_command', 'succeeded']]);
    // The runbook's checks, and each fault's own check run again (the port closed is seen by the reachability probe).
    expect(phaseTrail(detail, 'verify')).toEqual([
      ['monitoring.check_service_health', 'succeeded'],
      ['browser.browse', 'succeeded'],
      ['monitoring.check_reachability', 'succeeded'],
    ]);
    expect(detail.ticket.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'service.unreachable', target: 'web', state: 'fixed' })]),
    );
    expect(detail.ticket.findings.every((f) => f.state === 'fixed')).toBe(true);
    expect(stepOutput<{ healthy: boolean }>(detail, 'monitoring.check_service_health', 'diagnose').healthy).toBe(false);
    expect(stepOutput(detail, 'commander.execute_command')).toMatchObject({ exit_code: 0 });
    expect(stepOutput(detail, 'browser.browse')).toMatchObject({ status: 200, title: 'Shop' });
    expect(await up()).toBe(true);
    expect(pid()).not.toBe(before);
    // Who ran what: the restart is in the audit trail as a command on the local device.
    expect(
      detail.audit.some((a) => a.action === 'command.executed' && JSON.stringify(a.details).includes('restart-web')),
    ).toBe(true);
    expect(statusTrail(detail)).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
  });

  it('does not restart a service that answers: no fault found, the same process keeps running', async () => {
    const running = pid();
    const detail = await fileAndWait(s.rt.app, 'The web service is down again I think, please check');
    expect(detail.ticket.status, why(detail)).toBe('no_fault_found');
    expect(detail.steps.filter((st) => st.phase !== 'diagnose')).toEqual([]);
    expect(detail.ticket.resolutionNote).toMatch(/^No fault found\. Checked: the service does not answer: not found/);
    expect(pid()).toBe(running);
    expect(
      detail.audit.some((a) => a.action === 'command.executed' && JSON.stringify(a.details).includes('restart-web')),
    ).toBe(false);
  });
});

describe('scenario 3: logs fill the disk', () => {
  let s: Scenario;
  let logs: string;
  const line = (i: number) =>
    `2026-11-24T10:00:${String(i % 60).padStart(2, '0')}Z INFO billing request ${i} served in ${i % 97} ms\n`;

  let port: number;
  let server: Server;
  beforeAll(async () => {
    const dir = scratchDir();
    logs = path.join(dir, 'billing', 'logs');
    mkdirSync(logs, { recursive: true });
    // The billing service's own small file system (10 MiB), so "almost no space left" is real.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=10m', 'tmpfs', logs]);
    port = await freePort();
    server = createServer((_req, res) => res.end('ok')).listen(port, '127.0.0.1');
    s = await startScenario(
      [{ name: 'billing', url: `http://127.0.0.1:${port}/health`, logDir: logs, category: 'application' }],
      { TWISTERLAB_BACKUP_ROOTS: dir },
      {},
      dir,
    );
  });
  afterAll(async () => {
    server?.close();
    execFileSync('umount', [logs]);
    await s?.close();
  });

  it('backs the directory up, rotates the big logs, verifies it holds less, and resolves', async () => {
    const big = Array.from({ length: 68_000 }, (_, i) => line(i)).join('');
    writeFileSync(path.join(logs, 'app.log'), big);
    writeFileSync(path.join(logs, 'small.log'), 'one line\n');
    writeFileSync(path.join(logs, 'notes.txt'), 'x'.repeat(5200 * 1024));
    const before = statSync(path.join(logs, 'app.log')).size;
    expect(before).toBeGreaterThan(1024 * 1024);

    const detail = await fileAndWait(
      s.rt.app,
      'The billing logs are filling up the disk, there is almost no space left on the billing server',
    );

    expect(detail.ticket.status, why(detail)).toBe('resolved');
    expect(detail.executions.at(-1)!.plan.runbookId).toBe('log-rotation');
    expect(phaseTrail(detail, 'diagnose')).toContainEqual(['files.directory_usage', 'succeeded']);
    expect(phaseTrail(detail, 'backup')).toEqual([['backup.create_backup', 'succeeded']]);
    expect(phaseTrail(detail, 'fix')).toEqual([['files.rotate_logs', 'succeeded']]);
    expect(phaseTrail(detail, 'verify')).toEqual([['files.directory_usage', 'succeeded']]);
    expect(detail.ticket.findings).toEqual([expect.objectContaining({ id: 'disk.nearly_full', state: 'fixed' })]);
    // The live file is emptied (a writer keeps its handle), its content is in the archive, the rest untouched.
    expect(statSync(path.join(logs, 'app.log')).size).toBe(0);
    expect(gunzipSync(readFileSync(path.join(logs, 'app.log.1.gz'))).toString()).toBe(big);
    expect(readFileSync(path.join(logs, 'small.log'), 'utf8')).toBe('one line\n');
    expect(statSync(path.join(logs, 'notes.txt')).size).toBe(5200 * 1024);
    const usedBefore = stepOutput<{ bytes: number }>(detail, 'files.directory_usage', 'diagnose').bytes;
    const usedAfter = stepOutput<{ bytes: number }>(detail, 'files.directory_usage', 'verify').bytes;
    expect(usedBefore - usedAfter).toBeGreaterThan(before / 2);
    expect(stepOutput<{ freed_bytes: number }>(detail, 'files.rotate_logs').freed_bytes).toBeGreaterThan(before / 2);

    // The backup taken first holds the original log and can be listed.
    const backupId = stepOutput<{ backup_id: string }>(detail, 'backup.create_backup').backup_id;
    const backups = await s.rt.runtime.registry.invoke('backup.list_backups', {}, { actor: 'test' });
    expect(JSON.stringify(backups)).toContain(backupId);
    expect(detail.ticket.resolutionNote).toMatch(
      /^Fixed and verified \(runbook log-rotation\): .*nearly full.*: fixed.*bytes lt.*use_percent lt 90/,
    );
  });
});

describe('scenario 6: a request for a person, not a fault', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario([]);
  });
  afterAll(async () => s?.close());

  it('hands it to a person with the analysis and a plain-words summary, and runs nothing', async () => {
    const detail = await fileAndWait(
      s.rt.app,
      'Please create an account for our new colleague Maria in accounting, she starts on Monday',
    );
    expect(detail.ticket.status, why(detail)).toBe('escalated');
    expect(detail.steps).toEqual([]);
    expect(detail.ticket.analysis).toMatchObject({
      category: expect.any(String),
      priority: expect.any(String),
      sentiment: expect.any(String),
    });
    expect(detail.ticket.escalationReason).toMatch(
      /^not diagnosed: an? (access|service) request that names no system of ours/,
    );
    expect(detail.ticket.handoffSummary).toMatch(/request/i);
    expect(detail.executions.at(-1)!.plan).toMatchObject({ runbookId: null, title: 'Handed to a person' });
    expect(statusTrail(detail)).toEqual(['triaged', 'escalated']);
  });
});
