import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions.ts';
import { planTicket, type CatalogueLookup } from './planner.ts';
import { decideStep } from './policy.ts';
import { builtinRunbooks } from './runbooks/builtin-runbooks.ts';
import type { Runbook } from './runbooks/runbook.ts';
import type { Analysis } from './ticket.ts';

function analysis(overrides: Partial<Analysis> = {}, context: Analysis['context'] = { found: [] }): Analysis {
  return {
    category: 'application', priority: 'medium', sentiment: 'negative', urgency: 'normal', confidence: 0.8, summary: '',
    evidence: { sentiment: [], category: [], priority: [] }, context, suggestedAgents: [], path: 'rules', ...overrides,
  };
}

const readOnly: CatalogueLookup = (id) => ({ agent: id.split('.')[0]!, risk: 'read' });

describe('planTicket', () => {
  it('fills the service runbook from the extracted context, diagnostics first and verification last', () => {
    const plan = planTicket(analysis({}, { serviceName: 'shop', found: [] }), 'shop is down', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBe('service-unavailable');
    expect(plan.steps.map((s) => s.phase)).toEqual(['diagnose', 'diagnose', 'diagnose', 'verify']);
    expect(plan.steps[0]!.params).toEqual({ service_name: 'shop' });
    expect(plan.steps.at(-1)!.expect).toEqual([{ path: 'healthy', op: 'eq', value: true }]);
    expect(plan.steps.every((s) => s.decision === 'run')).toBe(true);
  });

  it('does not pick a runbook whose parameters cannot be filled, and escalates when nothing else fits', () => {
    const plan = planTicket(analysis(), 'the app is down', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBeNull();
    expect(plan.steps).toEqual([]);
    expect(plan.escalation).toMatch(/no runbook fits a medium-priority application ticket and no known service/);
  });

  it('escalates categories with no runbook, such as security', () => {
    const plan = planTicket(analysis({ category: 'security' }), 'phishing mail', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBeNull();
  });

  it('skips runbooks that use a capability that is not registered', () => {
    const plan = planTicket(analysis({ category: 'storage' }), 'disk full', builtinRunbooks, (id) => (id.startsWith('commander.') ? undefined : readOnly(id, {})));
    expect(plan.runbookId).toBeNull();
  });

  it('prefers the runbook whose keywords match the ticket', () => {
    const plan = planTicket(analysis({ category: 'performance' }, { serviceName: 'api', found: [] }), 'everything is slow, high cpu and load', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBe('host-slow');
  });

  it('asks for approval before a change on a high-priority ticket with no backup', () => {
    const runbook: Runbook = {
      id: 'restart', title: 'restart', categories: ['application'], keywords: [],
      diagnose: [], fix: [{ capability: 'commander.execute_command', params: { device_id: 'local', command: 'systemctl restart x' }, description: 'restart' }],
      verify: [{ capability: 'monitoring.check_service_health', params: { service_name: 'x' }, description: 'check', expect: [] }],
    };
    const lookup: CatalogueLookup = (id) => ({ agent: id.split('.')[0]!, risk: id.startsWith('commander.') ? 'change' : 'read' });
    const high = planTicket(analysis({ priority: 'high' }), 'x', [runbook], lookup);
    expect(high.steps[0]).toMatchObject({ decision: 'needs_approval', decisionReason: expect.stringMatching(/backup/) });
    const medium = planTicket(analysis({ priority: 'medium' }), 'x', [runbook], lookup);
    expect(medium.steps[0]!.decision).toBe('run');
  });
});

describe('decideStep', () => {
  it('runs reads, gates changes on verification and backups, and always holds destructive steps', () => {
    expect(decideStep({ risk: 'read', priority: 'critical', backupBefore: false, verified: false }).decision).toBe('run');
    expect(decideStep({ risk: 'change', priority: 'low', backupBefore: false, verified: false }).decision).toBe('needs_approval');
    expect(decideStep({ risk: 'change', priority: 'critical', backupBefore: true, verified: true }).decision).toBe('run');
    expect(decideStep({ risk: 'destructive', priority: 'low', backupBefore: true, verified: true }).decision).toBe('needs_approval');
  });
});

describe('evaluateCondition', () => {
  it('reads dot paths and requires every element under a * to hold', () => {
    const output = { healthy: true, disk: [{ use_percent: 40 }, { use_percent: 95 }] };
    expect(evaluateCondition(output, { path: 'healthy', op: 'eq', value: true }).held).toBe(true);
    expect(evaluateCondition(output, { path: 'disk.*.use_percent', op: 'lt', value: 90 })).toMatchObject({ held: false, actual: [40, 95] });
    expect(evaluateCondition(output, { path: 'disk.*.use_percent', op: 'lt', value: 99 }).held).toBe(true);
  });

  it('treats a missing value or an empty list as not holding', () => {
    expect(evaluateCondition({}, { path: 'memory.used_percent', op: 'lt', value: 95 }).held).toBe(false);
    expect(evaluateCondition({ disk: [] }, { path: 'disk.*.use_percent', op: 'lt', value: 90 }).held).toBe(false);
  });
});
