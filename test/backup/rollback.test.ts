// Rollback in the loop through the whole runtime: a real HTTP service reads its configuration file on each
// request; when diagnosis finds it failing and its configuration differing from the "known-good" copy, the
// config-drift runbook backs the directory up, syncs the copy over it, and checks the service. When the copy does
// not repair it, the backup is restored exactly, the service checked again, and the ticket escalated with both
// results; when it repairs the service, the ticket is resolved.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
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
  // The service is healthy exactly when its config file says so (serving, with workers), read fresh on every request.
  service = createServer((_req, res) => {
    let config = '';
    try {
      config = readFileSync(path.join(live(), 'shop.conf'), 'utf8');
    } catch {
      /* missing config: unhealthy */
    }
    const healthy = config.includes('mode=serve') && !config.includes('workers=0');
    res.statusCode = healthy ? 200 : 500;
    res.end(healthy ? 'ok' : 'bad config');
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

/** The steps of the ticket's remedy (its last execution; diagnosis was the first), in order. */
function remedySteps(detail: TicketDetail) {
  const remedy = detail.executions.at(-1)!;
  expect(remedy.plan.stage).toBe('remedy');
  return detail.steps.filter((s) => s.executionId === remedy.id).sort((a, b) => a.index - b.index);
}

async function submit(description: string) {
  const response = await rt.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    payload: { description, context: { serviceName: 'shop' } },
  });
  expect(response.statusCode).toBe(202);
  return waitForTicket(rt.app, (response.json() as { ticket: { id: string } }).ticket.id);
}

describe('rollback when verification fails', () => {
  it('restores the backup after a fix that does not repair the service, verifies again, and escalates with both results', async () => {
    // Failing (no workers) and different from the known-good copy, which is no better (maintenance mode).
    writeFileSync(path.join(live(), 'shop.conf'), 'mode=serve\nworkers=0\n');
    writeFileSync(path.join(baseline(), 'shop.conf'), 'mode=maintenance\n');
    writeFileSync(path.join(baseline(), 'extra.conf'), 'cache=on\n');

    const detail = await submit(
      'URGENT: the shop configuration drifted after a change, customers cannot pay, fix it now!',
    );
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.outcome).toBe('fix_failed');
    expect(detail.executions.at(-1)?.plan.runbookId).toBe('config-drift');
    expect(detail.ticket.findings.map((f) => f.id).sort()).toEqual([
      'config.differs_from_baseline',
      'service.http_error',
    ]);
    const steps = remedySteps(detail);
    expect(steps.map((s) => [s.phase, s.capability, s.status])).toEqual([
      ['backup', 'backup.create_backup', 'succeeded'],
      ['fix', 'sync.sync_data', 'succeeded'],
      ['verify', 'monitoring.check_service_health', 'succeeded'],
      ['rollback', 'backup.restore_backup', 'succeeded'],
      ['re-verify', 'monitoring.check_service_health', 'succeeded'],
    ]);
    expect((steps[2]!.output as { healthy: boolean }).healthy).toBe(false);
    // The restore puts back the configuration as it was: still failing, as before the fix.
    expect((steps[4]!.output as { healthy: boolean }).healthy).toBe(false);
    const backupId = (steps[0]!.output as { backup_id: string }).backup_id;
    expect(steps[3]!.params).toEqual({ backup_id: backupId });

    // Its directory is exactly what was saved (the extra file is gone).
    expect(readFileSync(path.join(live(), 'shop.conf'), 'utf8')).toBe('mode=serve\nworkers=0\n');
    expect(existsSync(path.join(live(), 'extra.conf'))).toBe(false);

    expect(detail.ticket.escalationReason).toMatch(
      /^verification failed: .*rolled back: backup .* restored; re-verification failed/,
    );
    const escalated = detail.audit.find((a) => a.action === 'ticket.status_changed' && a.toStatus === 'escalated');
    expect(escalated?.details).toMatchObject({
      verification: expect.stringContaining('verification failed'),
      rollback: [`backup ${backupId} restored`],
      reverification: { passed: false },
    });
    // One audit row per step of both executions, rollback and re-verify included.
    expect(detail.audit.filter((a) => a.action.startsWith('step.')).length).toBe(detail.steps.length);
    const metrics = (await rt.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^twisterlab_rollbacks_total\{outcome="restored",reverification="failed"\} 1$/m);
  });

  it('changes nothing when the configuration differs but the service is healthy', async () => {
    writeFileSync(path.join(live(), 'shop.conf'), 'mode=serve\nworkers=4\n');
    const detail = await submit('The shop configuration drifted after a change, please check it.');
    expect(detail.ticket.status).toBe('no_fault_found');
    expect(detail.steps.filter((s) => s.phase !== 'diagnose')).toEqual([]);
    expect(readFileSync(path.join(live(), 'shop.conf'), 'utf8')).toBe('mode=serve\nworkers=4\n');
  });

  it('resolves the ticket when the known-good copy repairs the service, with the backup taken first', async () => {
    writeFileSync(path.join(live(), 'shop.conf'), 'mode=off\n');
    writeFileSync(path.join(baseline(), 'shop.conf'), 'mode=serve\n');
    const detail = await submit('The shop configuration drifted after a change and the shop is broken.');
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.ticket.outcome).toBe('verified_fix');
    expect(remedySteps(detail).map((s) => s.phase)).toEqual(['backup', 'fix', 'verify']);
    expect(readFileSync(path.join(live(), 'shop.conf'), 'utf8')).toBe('mode=serve\n');
  });
});
