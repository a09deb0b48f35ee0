// End to end: the real `twisterlab serve` process on a free port, tickets submitted over HTTP and through the
// CLI, a second process refused on the same data directory, and the data surviving a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceLab, type ServiceLab } from '../helpers/service-lab.ts';

const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin/twisterlab.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitHealthy(base: string, proc: Proc): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`server exited: ${proc.output()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not healthy: ${proc.output()}`);
}

async function waitSettled(
  base: string,
  id: string,
): Promise<{ ticket: { status: string }; steps: unknown[]; audit: unknown[] }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const detail = await json(fetch(`${base}/api/v1/tickets/${id}`));
    if (['resolved', 'escalated', 'failed', 'no_fault_found'].includes(detail.ticket.status)) return detail;
    if (Date.now() > deadline) throw new Error(`ticket ${id} stuck in ${detail.ticket.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the server process, end to end', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-e2e-'));
  let env: Record<string, string>;
  let base: string;
  let server: Proc;
  // shop runs as its own process, with a declared restart command allow-listed on the local device.
  let lab: ServiceLab;

  beforeAll(async () => {
    lab = await startServiceLab([{ name: 'shop' }]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      TWISTERLAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      TWISTERLAB_URL: base,
      ...lab.env,
    };
    delete process.env.DATABASE_URL;
    server = run(['serve'], env);
    await waitHealthy(base, server);
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await lab?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let httpTicket: string;

  it('processes a ticket submitted over HTTP to a final state with its steps and audit rows', async () => {
    await lab.service('shop').kill();
    const response = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'The shop is down, customers cannot pay!' }),
    });
    expect(response.status).toBe(202);
    httpTicket = (await json(response)).ticket.id;
    const detail = await waitSettled(base, httpTicket);
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.steps.length).toBeGreaterThanOrEqual(3);
    expect(detail.audit.length).toBeGreaterThanOrEqual(6);
    expect(await lab.service('shop').up()).toBe(true);
  });

  it('submits through the CLI and prints analysis, plan, each step and the final status', async () => {
    await lab.service('shop').kill();
    const cli = run(['ticket', 'submit', 'shop is not responding since 10 minutes', '--wait'], env);
    expect(await cli.exited, cli.output()).toBe(0);
    const out = cli.output();
    expect(out).toMatch(/analysis {2}\w+ · \w+ priority/);
    expect(out).toMatch(/plan {6}service-restart/);
    expect(out).toMatch(/ok +\d+\. monitoring\.check_service_health/);
    expect(out).toMatch(/status {4}resolved/);
  });

  it('says through the CLI when nothing was found, and exits with its own code', async () => {
    const cli = run(['ticket', 'submit', 'shop is not responding since 10 minutes', '--wait'], env);
    expect(await cli.exited, cli.output()).toBe(5);
    const out = cli.output();
    expect(out).toMatch(/ok +\d+\. monitoring\.check_service_health/);
    expect(out).toMatch(/status {4}no_fault_found/);
    expect(out).toMatch(/nothing wrong was found/);
  });

  it('escalates through the CLI and exits non-zero when no runbook fits', async () => {
    const cli = run(['ticket', 'submit', 'I need a new laptop charger', '--wait'], env);
    expect(await cli.exited).toBe(3);
    expect(cli.output()).toMatch(/status {4}escalated/);
  });

  it('shows a ticket, lists tickets and agents through the CLI', async () => {
    const show = run(['ticket', 'show', httpTicket], env);
    expect(await show.exited).toBe(0);
    expect(show.output()).toContain(httpTicket);
    expect(show.output()).toMatch(/audit\n/);
    const list = run(['tickets', '--status', 'resolved'], env);
    expect(await list.exited).toBe(0);
    expect(list.output()).toMatch(/2 of 2 tickets/);
    const agents = run(['agents'], env);
    expect(await agents.exited).toBe(0);
    expect(agents.output()).toMatch(/commander\.execute_command/);
  });

  it('applies migrations to a fresh data directory with `twisterlab migrate`', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'twisterlab-migrate-'));
    try {
      const migrate = run(['migrate'], { ...env, TWISTERLAB_DATA_DIR: fresh });
      expect(await migrate.exited).toBe(0);
      expect(migrate.output()).toMatch(/migrations applied \(pglite\)/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a second server on the same data directory with a clear message', async () => {
    const second = run(['serve'], { ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/data directory .* is in use by process \d+/);
  });

  it('keeps every ticket across a graceful restart', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    server = run(['serve'], env);
    await waitHealthy(base, server);
    const page = await json(fetch(`${base}/api/v1/tickets`));
    expect(page.total).toBe(4);
    const detail = await json(fetch(`${base}/api/v1/tickets/${httpTicket}`));
    expect(detail.ticket.status).toBe('resolved');
  }, 60_000);
});
