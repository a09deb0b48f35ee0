// What one ticket costs the database, on PGlite and PostgreSQL: the statements sent while a ticket goes from new
// through diagnosis (one read confirms a finding), a remedy of three changes (each claimed before it runs) and
// verification, to resolved. The figure is printed; the test holds it to a handful per step, and checks that
// folding writes together lost nothing: every step stored once, its claim replaced by its result, every status
// and command in the audit trail.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const FINDING = 'cost.unmarked';

function runbook(dir: string): string {
  const probe = `'du -sh ${dir}/{{params.tag}}.fixed'`;
  const fix = (command: string, description: string) => `  - capability: commander.execute_command
    params: { device_id: local, command: ${command} }
    description: ${description}
    addresses: ${FINDING}
    withoutBackup: it only creates a new empty file
`;
  return `id: cost-probe
title: "Cost probe: marker files"
categories: [database, network, security, application, hardware, access, storage, performance, other]
keywords: [costprobe, markerfile]
requireKeyword: true
requires: [host]
parameters:
  tag: { type: string, from: '{{found.host}}', pattern: '^[a-z0-9-]+\\.cost\\.localhost$' }
diagnose:
  - id: flag
    capability: commander.execute_command
    params: { device_id: local, command: ${probe} }
    description: Look for the flag file
findings:
  - { id: ${FINDING}, step: flag, when: [{ path: exit_code, op: ne, value: 0 }], evidence: { exit_code: exit_code } }
fix:
${fix(`'mktemp ${dir}/{{params.tag}}.s0.XXXXXX'`, 'First marker')}${fix(`'mktemp ${dir}/{{params.tag}}.s1.XXXXXX'`, 'Second marker')}${fix(`'touch ${dir}/{{params.tag}}.fixed'`, 'The flag file')}verify:
  - capability: commander.execute_command
    params: { device_id: local, command: ${probe} }
    description: The flag file is there
    expect:
      - { path: exit_code, op: eq, value: 0 }
`;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => `\\${c}`);

describe.each(BACKENDS)('statements per ticket on %s', { timeout: 180_000 }, (backend) => {
  let dir: string;
  let effects: string;
  let rt: TestRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-cost-'));
    effects = path.join(dir, 'effects');
    mkdirSync(effects);
    mkdirSync(path.join(dir, 'runbooks'));
    writeFileSync(path.join(dir, 'runbooks', 'cost-probe.yaml'), runbook(effects));
    rt = await startTestRuntime(backend, {
      TWISTERLAB_RUNBOOKS_DIR: path.join(dir, 'runbooks'),
      TWISTERLAB_LOCAL_ALLOW: [
        `mktemp /^${escape(effects)}\\/[a-z0-9.-]+\\.cost\\.localhost\\.s[0-9]\\.XXXXXX$/`,
        `touch /^${escape(effects)}\\/[a-z0-9.-]+\\.cost\\.localhost\\.fixed$/`,
      ].join(';'),
      // Nothing else talks to the database while the ticket runs.
      TWISTERLAB_RECONCILE_INTERVAL_MS: String(3_600_000),
    });
  }, 180_000);

  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a diagnosed, fixed and verified ticket in a handful of statements, nothing lost', async () => {
    const { opened, orchestrator } = rt.runtime;
    const tag = `one-${backend}.cost.localhost`;
    const { ticket } = await opened.store.create({
      description: `costprobe markerfile missing on ${tag}, please look`,
      requester: 'alice',
      source: 'api',
      dryRun: false,
      context: {},
    });
    const before = opened.statements();
    const outcome = await orchestrator.process(ticket.id);
    const statements = opened.statements() - before;
    console.log(`[${backend}] one ticket, diagnosis + 3 changes + verify: ${statements} statements`);
    expect(outcome.ticket.status).toBe('resolved');

    // The real system: each marker made once, the flag there.
    expect(
      readdirSync(effects)
        .filter((f) => f.startsWith(tag))
        .map((f) => f.replace(/\.[A-Za-z0-9]{6}$/, ''))
        .sort(),
    ).toEqual([`${tag}.fixed`, `${tag}.s0`, `${tag}.s1`]);
    const detail = (await opened.store.getDetail(ticket.id))!;
    const remedy = detail.steps.filter((s) => s.phase !== 'diagnose');
    expect(remedy.map((s) => [s.phase, s.status])).toEqual([
      ['fix', 'succeeded'],
      ['fix', 'succeeded'],
      ['fix', 'succeeded'],
      ['verify', 'succeeded'],
    ]);
    const keys = detail.steps.map((s) => `${s.executionId}:${s.index}`);
    expect(new Set(keys).size).toBe(keys.length);
    const moves = detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus);
    expect(moves).toEqual(['triaged', 'diagnosing', 'executing', 'verifying', 'resolved']);
    expect(detail.audit.filter((a) => a.action === 'command.executed')).toHaveLength(5);
    expect(detail.audit.filter((a) => a.action === 'step.succeeded').length).toBe(
      detail.steps.filter((s) => s.status === 'succeeded').length,
    );
    // Measured before the writes were folded: 31 on PGlite. A handful of statements per step that ran.
    expect(statements).toBeLessThanOrEqual(detail.steps.length * 2 + 6);
  });

  it('writes the last check of a diagnosis that finds nothing with the move to no_fault_found, nothing lost', async () => {
    const { opened, orchestrator } = rt.runtime;
    const tag = `clean-${backend}.cost.localhost`;
    // The flag is there already: the check finds nothing wrong.
    writeFileSync(path.join(effects, `${tag}.fixed`), '');
    const { ticket } = await opened.store.create({
      description: `costprobe markerfile missing on ${tag}, please look`,
      requester: 'alice',
      source: 'api',
      dryRun: false,
      context: {},
    });
    const before = opened.statements();
    const outcome = await orchestrator.process(ticket.id);
    const statements = opened.statements() - before;
    console.log(`[${backend}] one ticket, diagnosis finding nothing: ${statements} statements`);
    expect(outcome.ticket.status).toBe('no_fault_found');
    const detail = (await opened.store.getDetail(ticket.id))!;
    const checks = detail.steps;
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((s) => s.phase === 'diagnose' && !!s.finishedAt)).toBe(true);
    expect(new Set(checks.map((s) => s.index)).size).toBe(checks.length);
    expect(detail.audit.filter((a) => a.action === 'ticket.status_changed').map((a) => a.toStatus)).toEqual([
      'triaged',
      'diagnosing',
      'no_fault_found',
    ]);
    expect(
      detail.audit
        .filter((a) => a.action.startsWith('step.'))
        .map((a) => (a.details as { index: number }).index)
        .sort(),
    ).toEqual(checks.map((s) => s.index).sort());
    const commands = detail.audit.filter((a) => a.action === 'command.executed').length;
    expect(commands).toBe(checks.filter((s) => s.capability === 'commander.execute_command').length);
    // Reading the ticket, the move to diagnosing, a write per check but the last, the last with the move, and at
    // most one audit insert per command run.
    expect(statements).toBeLessThanOrEqual(1 + 1 + (checks.length - 1) + 1 + commands);
  });
});
