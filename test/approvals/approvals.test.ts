// Approvals through the whole runtime (REST, orchestrator, store) on PGlite and PostgreSQL: a destructive fix is
// asked for only after diagnosis confirmed the fault it addresses, the requester cannot approve it, an admin's
// approval runs it exactly once, a denial or an expiry escalates.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/core/approval.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { BACKENDS, startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { CACHE_FINDING, corruptCache, createTestOpsAgent, sideEffectLines, wipeRunbook } from './approval-fixtures.ts';

const KEYS = {
  alice: 'alice-admin-key-0001',
  carol: 'carol-admin-key-0002',
  dave: 'dave-admin-key-00003',
  bot: 'bot-operator-key-0004',
};
const API_KEYS = `alice:admin:${KEYS.alice},carol:admin:${KEYS.carol},dave:admin:${KEYS.dave},bot:operator:${KEYS.bot}`;

async function startApprovalRuntime(backend: (typeof BACKENDS)[number], env: Record<string, string> = {}) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'twisterlab-approval-')), 'wiped.log');
  const rt = await startTestRuntime(
    backend,
    { TWISTERLAB_API_KEYS: API_KEYS, ...env },
    { runbooks: [wipeRunbook(file)] },
  );
  rt.runtime.registry.register(createTestOpsAgent());
  return { rt, file };
}

/** The cache is corrupt (until a wipe), and a ticket says so. */
async function submit(rt: TestRuntime, file: string): Promise<string> {
  corruptCache(file);
  const response = await rt.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: { 'x-api-key': KEYS.alice },
    payload: { description: 'The application cache on this server is corrupt, please wipe the cache' },
  });
  expect(response.statusCode).toBe(202);
  return (response.json() as { ticket: { id: string } }).ticket.id;
}

async function waitForStatus(rt: TestRuntime, id: string, statuses: string[]): Promise<TicketDetail> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const detail = (
      await rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: { 'x-api-key': KEYS.bot } })
    ).json() as TicketDetail;
    if (statuses.includes(detail.ticket.status)) return detail;
    if (Date.now() > deadline) throw new Error(`ticket ${id} still ${detail.ticket.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function pendingApproval(rt: TestRuntime, ticketId: string): Promise<Approval> {
  await waitForStatus(rt, ticketId, ['awaiting_approval']);
  const list = await rt.app.inject({
    method: 'GET',
    url: `/api/v1/approvals?status=pending&ticketId=${ticketId}`,
    headers: { 'x-api-key': KEYS.bot },
  });
  const items = (list.json() as { items: Approval[] }).items;
  expect(items).toHaveLength(1);
  return items[0]!;
}

const decide = (rt: TestRuntime, id: string, key: string, action: 'approve' | 'deny', reason?: string) =>
  rt.app.inject({
    method: 'POST',
    url: `/api/v1/approvals/${id}/${action}`,
    headers: { 'x-api-key': key },
    ...(reason ? { payload: { reason } } : {}),
  });

describe.each(BACKENDS)('approvals (%s)', (backend) => {
  let rt: TestRuntime;
  let file: string;
  beforeAll(async () => {
    ({ rt, file } = await startApprovalRuntime(backend));
  });
  afterAll(async () => rt?.close());

  it('waits for approval, refuses the requester and an operator, and runs the step once after an admin approves', async () => {
    const id = await submit(rt, file);
    const approval = await pendingApproval(rt, id);
    expect(approval).toMatchObject({ requestedBy: 'alice', stepIndex: 0, status: 'pending' });
    expect(approval.stepHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sideEffectLines(file)).toBe(0);
    // Asked after diagnosis ran and confirmed the fault: the approval belongs to the remedy, which names it.
    const waiting = await waitForStatus(rt, id, ['awaiting_approval']);
    expect(waiting.executions.map((e) => e.plan.stage)).toEqual(['diagnosis', 'remedy']);
    expect(waiting.executions[0]).toMatchObject({ success: true });
    const remedy = waiting.executions[1]!;
    expect(approval.executionId).toBe(remedy.id);
    expect(remedy.plan.steps[0]).toMatchObject({
      phase: 'fix',
      capability: 'testops.wipe_cache',
      decision: 'needs_approval',
      addresses: [CACHE_FINDING],
    });
    expect(remedy.plan.findings).toEqual([
      expect.objectContaining({ id: CACHE_FINDING, state: 'confirmed', evidence: { corrupt: true } }),
    ]);
    expect(waiting.steps.map((s) => [s.executionId, s.phase, s.status])).toEqual([
      [waiting.executions[0]!.id, 'diagnose', 'succeeded'],
    ]);
    // While it waits, the handoff names the change to decide on, in plain words, and the team.
    expect(waiting.ticket.handoffSummary).toMatch(
      /^Left to do: approve or refuse the change TwisterLab would make: Wipe the cache \(destructive steps wait for a human approval\); /m,
    );
    expect(waiting.ticket.handoffSummary).toMatch(new RegExp(`\nTeam: ${waiting.ticket.team}$`));

    const own = await decide(rt, approval.id, KEYS.alice, 'approve');
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/alice requested ticket/);
    expect((await decide(rt, approval.id, KEYS.bot, 'approve')).statusCode).toBe(403);

    expect((await rt.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^twisterlab_approvals_pending 1$/m);
    const ok = await decide(rt, approval.id, KEYS.carol, 'approve');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'approved', decidedBy: 'carol' });
    const detail = await waitForStatus(rt, id, ['resolved', 'escalated', 'failed']);
    expect(detail.ticket.status).toBe('resolved');
    expect(detail.ticket).toMatchObject({
      outcome: 'assisted_fix',
      findings: [expect.objectContaining({ id: CACHE_FINDING, state: 'fixed' })],
    });
    // Fixed after all: nobody needs the handoff written while it waited.
    expect(detail.ticket.handoffSummary).toBeNull();
    expect(sideEffectLines(file)).toBe(1);
    expect(detail.audit.find((a) => a.action === 'approval.approved')).toMatchObject({ actor: 'carol' });
    const after = (await rt.runtime.approvals.list({ ticketId: id, limit: 10 }))[0]!;
    expect(after.status).toBe('consumed');
    const metrics = (await rt.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^twisterlab_approvals_pending 0$/m);
    expect(metrics).toMatch(/^twisterlab_approval_decision_seconds_count\{decision="approved"\} 1$/m);
    expect((await decide(rt, approval.id, KEYS.dave, 'approve')).statusCode).toBe(409);
  });

  it('runs the step once when two admins approve at the same moment', async () => {
    const before = sideEffectLines(file);
    const id = await submit(rt, file);
    const approval = await pendingApproval(rt, id);
    const results = await Promise.all([
      decide(rt, approval.id, KEYS.carol, 'approve'),
      decide(rt, approval.id, KEYS.dave, 'approve'),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await waitForStatus(rt, id, ['resolved', 'escalated', 'failed'])).ticket.status).toBe('resolved');
    await rt.runtime.orchestrator.process(id);
    expect(sideEffectLines(file)).toBe(before + 1);
  });

  it('escalates with who denied and why, and nothing runs', async () => {
    const before = sideEffectLines(file);
    const id = await submit(rt, file);
    const approval = await pendingApproval(rt, id);
    expect((await decide(rt, approval.id, KEYS.carol, 'deny')).statusCode).toBe(400);
    const denied = await decide(rt, approval.id, KEYS.carol, 'deny', 'not during business hours');
    expect(denied.json()).toMatchObject({ status: 'denied', decidedBy: 'carol', reason: 'not during business hours' });
    const detail = await waitForStatus(rt, id, ['resolved', 'escalated', 'failed']);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toBe('step 0 was denied by carol: not during business hours');
    // The person who takes it reads plain words: the request, what was found, the refused change, the team.
    const summary = detail.ticket.handoffSummary ?? '';
    expect(summary).toMatch(/^Request: the requester .*"The application cache on this server is corrupt/);
    expect(summary).toMatch(/^Checked: found .*\(confirmed\)$/m);
    expect(summary).toMatch(
      /^Left to do: carol refused the change \(Wipe the cache\), saying "not during business hours"; nothing ran/m,
    );
    expect(detail.ticket.team).toBeTruthy();
    expect(summary).toMatch(new RegExp(`\nTeam: ${detail.ticket.team}$`));
    expect(summary).not.toContain('test-wipe-cache');
    expect(sideEffectLines(file)).toBe(before);
  });
});

describe('approval expiry (pglite)', () => {
  let rt: TestRuntime;
  let file: string;
  beforeAll(async () => {
    ({ rt, file } = await startApprovalRuntime('pglite', { TWISTERLAB_APPROVAL_TTL_MS: '1000' }));
  });
  afterAll(async () => rt?.close());

  it('escalates a ticket whose approval expired, and a late approval is refused', async () => {
    const id = await submit(rt, file);
    const approval = await pendingApproval(rt, id);
    const detail = await waitForStatus(rt, id, ['resolved', 'escalated', 'failed']);
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.ticket.escalationReason).toMatch(/approval of step 0 expired/);
    expect(detail.ticket.handoffSummary).toMatch(
      /^Request: the requester .*"The application cache on this server is corrupt/,
    );
    expect(detail.ticket.handoffSummary).toMatch(
      /^Left to do: nobody approved or refused the change \(Wipe the cache\) in time, so nothing ran/m,
    );
    expect(detail.ticket.handoffSummary).toMatch(new RegExp(`\nTeam: ${detail.ticket.team}$`));
    const late = await decide(rt, approval.id, KEYS.carol, 'approve');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/is expired/);
    expect(sideEffectLines(file)).toBe(0);
  });
});
