// Rollback in the loop through the whole runtime: a real HTTP service reads its configuration file on each
// request; the config-drift runbook backs the directory up, syncs the "known-good" copy over it, and checks
// the service. When the copy breaks the service, the backup is restored, the service checked again, and the
// ticket escalated with both results; when it repairs the service, the ticket is resolved.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

let rt: TestRuntime;
let root: string;
let service: Server;
const live = () => path.join(root, 'shop', 'config');
const baseline = () => path.join(root, 'baseline', 'shop');

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'twisterlab-rollback-'));
  mkdirSync(live(), { recursive: true });
  mkdirSync(baseline(), { recursive: true });
  // The service is healthy exactly when its config file says so, read fresh on every request.
  service = createServer((_req, res) => {
    let config = '';
    try {
      config = readFileSync(path.join(live(), 'shop.conf'), 'utf8');
    } catch { /* missing config: unhealthy */ }
    res.statusCode = config.includes('mode=serve') ? 200 : 500;
    res.end(config.includes('mode=serve') ? 'ok' : 'bad config');
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  const port = (service.address() as { port: number }).port;
  rt = await startTestRuntime('pglite', {
    TWISTERLAB_BACKUP_ROOTS: root,
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${port}/health`,
    TWISTERLAB_CONFIG_BASELINES: `shop=${live()}:${baseline()}`,
  });
});

afterAll(async () => {
  await rt?.close();
  service?.close();
  rmSync(root, { recursive: true, force: true });
});

async function submit(description: string) {
  const response = await rt.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { description, context: { serviceName: 'shop' } } });
  expect(response.statusCode).toBe(202);
  return waitForTicket(rt.app, (response.json() as { ticket: { id: string } }).ticket.id);
}

describe('rollback when verification fails', () => {
  it('restores the backup after a fix that breaks the service, verifies again, and escalates with both results', async () => {
    writeFileSync(path.join(live(), 'shop.conf'), 'mode=serve\nworkers=4\n');
    writeFileSync(path.join(baseline(), 'shop.conf'), 'mode=maintenance\n');
    writeFileSync(path.join(baseline(), 'extra.conf'), 'cache=on\n');

    const detail = await submit('URGENT: the shop configuration drifted after a change, customers cannot pay, fix it now!');
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.executions.at(-1)?.plan.runbookId).toBe('config-drift');
    const steps = [...detail.steps].sort((a, b) => a.index - b.index);
    expect(steps.map((s) => [s.phase, s.capability, s.status])).toEqual([
      ['diagnose', 'monitoring.check_service_health', 'succeeded'],
      ['backup', 'backup.create_backup', 'succeeded'],
      ['fix', 'sync.sync_data', 'succeeded'],
      ['verify', 'monitoring.check_service_health', 'succeeded'],
      ['rollback', 'backup.restore_backup', 'succeeded'],
      ['re-verify', 'monitoring.check_service_health', 'succeeded'],
    ]);
    expect((steps[3]!.output as { healthy: boolean }).healthy).toBe(false);
    expect((steps[5]!.output as { healthy: boolean }).healthy).toBe(true);
    const backupId = (steps[1]!.output as { backup_id: string }).backup_id;
    expect(steps[4]!.params).toEqual({ backup_id: backupId });

    // The service is healthy again and its directory is exactly what was saved (the extra file is gone).
    expect(readFileSync(path.join(live(), 'shop.conf'), 'utf8')).toBe('mode=serve\nworkers=4\n');
    expect(await fetch(`http://127.0.0.1:${(service.address() as { port: number }).port}/health`).then((r) => r.status)).toBe(200);

    expect(detail.ticket.escalationReason).toMatch(/^verification failed: .*rolled back: backup .* restored; re-verification passed/);
    const escalated = detail.audit.find((a) => a.action === 'ticket.status_changed' && a.toStatus === 'escalated');
    expect(escalated?.details).toMatchObject({
      verification: expect.stringContaining('verification failed'),
      rollback: [`backup ${backupId} restored`],
      reverification: { passed: true },
    });
    // One audit row per step, rollback and re-verify included.
    expect(detail.audit.filter((a) => a.action.startsWith('step.')).length).toBe(steps.length);
    const metrics = (await rt.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^twisterlab_rollbacks_total\{outcome="restored",reverification="passed"\} 1$/m);
  });

  it('resolves the ticket when the known-good copy repairs the service, with the backup taken first', async () => {
    writeFileSync(path.join(live(), 'shop.conf'), 'mode=off\n');
    writeFileSync(path.join(baseline(), 'shop.conf'), 'mode=serve\n');
    const detail = await submit('The shop configuration drifted after a change and the shop is broken.');
    expect(detail.ticket.status).toBe('resolved');
    const phases = [...detail.steps].sort((a, b) => a.index - b.index).map((s) => s.phase);
    expect(phases).toEqual(['diagnose', 'backup', 'fix', 'verify']);
    expect(readFileSync(path.join(live(), 'shop.conf'), 'utf8')).toBe('mode=serve\n');
  });
});
