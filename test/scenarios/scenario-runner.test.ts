// The judge of the acceptance suite: what counts as a verified fix, a false resolution, an unneeded change and
// an escalation naming the right finding — on made-up results, so each rule is seen to bite.
import { describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { INCIDENTS, type Incident } from './incidents.ts';
import { judge, showsDiagnosis, unneededChanges, type Finding, type PhrasingResult } from './scenario-runner.ts';

const incident = (id: string) => INCIDENTS.find((i) => i.id === id)!;
const finding = (id: string, state: Finding['state']): Finding => ({
  id,
  state,
  target: 'x',
  summary: '',
  evidence: {},
  runbookId: 'r',
});

function result(of: Incident, fields: Partial<PhrasingResult>): PhrasingResult {
  const r: PhrasingResult = {
    incident: of,
    phrasingIndex: 0,
    text: of.phrasings[0]!,
    ticketId: 't',
    status: 'resolved',
    findings: [],
    reason: null,
    steps: [],
    unneeded: [],
    lost: [],
    falseResolution: false,
    verifiedFix: false,
    namedRightFinding: false,
    problems: [],
    ...fields,
  };
  judge(r);
  return r;
}

describe('judging a ticket against the real system', () => {
  it('counts a fix as verified only when the finding is fixed and the app no longer sees the fault', () => {
    const r = result(incident('web-killed'), {
      findings: [finding('service.unreachable', 'fixed')],
      faultBefore: 'down',
      faultAfter: null,
    });
    expect(r).toMatchObject({ verifiedFix: true, falseResolution: false, problems: [] });
  });

  it('calls a resolved ticket a false resolution when the app still sees the fault, whatever the findings say', () => {
    const r = result(incident('analytics-partial'), {
      findings: [finding('disk.nearly_full', 'fixed')],
      faultBefore: '95 %',
      faultAfter: 'the log disk is 91.3 % used',
    });
    expect(r.falseResolution).toBe(true);
    expect(r.verifiedFix).toBe(false);
    expect(r.problems).toContain('FALSE RESOLUTION: resolved while the app still sees: the log disk is 91.3 % used');
  });

  it('credits an escalation only when it names the expected finding, and an ambiguous one only when it names both services', () => {
    expect(
      result(incident('kiosk-killed'), {
        status: 'escalated',
        findings: [finding('service.unreachable', 'confirmed')],
        faultAfter: 'down',
      }),
    ).toMatchObject({ namedRightFinding: true, problems: [] });
    expect(
      result(incident('kiosk-killed'), {
        status: 'escalated',
        findings: [finding('host.overloaded', 'confirmed')],
        faultAfter: 'down',
      }).namedRightFinding,
    ).toBe(false);
    expect(
      result(incident('orders-ambiguous'), { status: 'escalated', reason: 'the words fit orders-eu and orders-us' }),
    ).toMatchObject({ namedRightFinding: true, problems: [] });
    expect(result(incident('orders-ambiguous'), { status: 'escalated', reason: 'it fits orders-eu' }).problems).toEqual(
      ['the escalation reason does not name orders-us'],
    );
  });

  it('accepts either honest outcome where the incident allows two, and nothing else', () => {
    expect(result(incident('pricing-legit-vat'), { status: 'no_fault_found' }).problems).toEqual([]);
    expect(result(incident('pricing-legit-vat'), { status: 'escalated' }).problems).toEqual([]);
    expect(result(incident('pricing-legit-vat'), { status: 'resolved' }).problems).toEqual([
      'status resolved, expected no_fault_found or escalated',
    ]);
  });

  it('asks a destructive fix to have been approved with the diagnosis shown', () => {
    const crm = incident('crm-slots-reserved');
    const fixed = { findings: [finding('postgres.connections_exhausted', 'fixed')], faultAfter: null };
    expect(result(crm, fixed).problems).toEqual(['no approval was asked before the destructive fix']);
    expect(result(crm, { ...fixed, approval: { asked: true, showsDiagnosis: false } }).problems).toEqual([
      "the approval does not show the diagnosis's figures",
    ]);
    expect(result(crm, { ...fixed, approval: { asked: true, showsDiagnosis: true } }).problems).toEqual([]);
  });
});

describe('unneeded changes', () => {
  const steps = (phase: string, status: string) =>
    ({ steps: [{ phase, capability: 'sync.sync_data', status }] }) as unknown as Pick<TicketDetail, 'steps'>;

  it('are differences outside what the expected fix may touch', () => {
    const web = incident('web-killed');
    expect(
      unneededChanges(web, { 'web:pid': '1', 'shop:pid': '2' }, { 'web:pid': '3', 'shop:pid': '2' }, undefined),
    ).toEqual([]);
    expect(
      unneededChanges(web, { 'web:pid': '1', 'shop:pid': '2' }, { 'web:pid': '3', 'shop:pid': '4' }, undefined),
    ).toEqual(['shop:pid changed (2 → 4)']);
  });

  it('are any difference at all, and any change step that ran, on a system with no fault', () => {
    const pricing = incident('pricing-legit-vat');
    expect(
      unneededChanges(pricing, { 'pricing:config': 'a' }, { 'pricing:config': 'b' }, steps('fix', 'succeeded')),
    ).toEqual(['pricing:config changed (a → b)', 'a fix step (sync.sync_data) ran on a system with no fault']);
    expect(
      unneededChanges(pricing, { 'pricing:config': 'a' }, { 'pricing:config': 'a' }, steps('fix', 'skipped')),
    ).toEqual([]);
  });
});

describe('an approval showing the diagnosis', () => {
  it('carries findings, evidence or figures, not only the step to run', () => {
    expect(showsDiagnosis({ id: 'a', stepIndex: 2, stepHash: 'h' })).toBe(false);
    expect(showsDiagnosis({ id: 'a', findings: [] })).toBe(false);
    expect(showsDiagnosis({ id: 'a', step: { evidence: { idle_in_transaction: 6, max_connections: 10 } } })).toBe(true);
    expect(showsDiagnosis({ id: 'a', findings: [{ id: 'postgres.connections_exhausted' }] })).toBe(true);
  });
});
