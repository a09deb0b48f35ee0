import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions.ts';
import { planTicket, type CatalogueLookup } from './planner.ts';
import { decideStep } from './policy.ts';
import { loadBuiltinRunbooks } from '../adapters/runbooks/runbook-files.ts';
import type { Runbook } from './runbooks/runbook.ts';
import type { Analysis } from './ticket.ts';

const builtinRunbooks = loadBuiltinRunbooks();

function analysis(overrides: Partial<Analysis> = {}, context: Analysis['context'] = { found: [] }): Analysis {
  return {
    category: 'application',
    priority: 'medium',
    sentiment: 'negative',
    urgency: 'normal',
    confidence: 0.8,
    summary: '',
    evidence: { sentiment: [], category: [], priority: [] },
    context,
    suggestedAgents: [],
    path: 'rules',
    ...overrides,
  };
}

const readOnly: CatalogueLookup = (id) => ({ agent: id.split('.')[0]!, risk: 'read' });

describe('planTicket', () => {
  it('fills the service runbook from the extracted context, diagnostics first and verification last', () => {
    const plan = planTicket(
      analysis({}, { serviceName: 'shop', found: [] }),
      'shop is down',
      builtinRunbooks,
      readOnly,
    );
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

  // Said as it is: a ticket that named a device is not told that it named none.
  it('says which device the ticket named when no runbook fits it', () => {
    const named = analysis({}, { found: [], deviceId: 'local' });
    const plan = planTicket(named, 'our app server rebooted', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBeNull();
    expect(plan.escalation).toMatch(
      /^no runbook fits a medium-priority application ticket on device local, and no known service was named \(/,
    );
  });

  it('escalates categories with no runbook, such as security', () => {
    const plan = planTicket(analysis({ category: 'security' }), 'phishing mail', builtinRunbooks, readOnly);
    expect(plan.runbookId).toBeNull();
  });

  it('skips runbooks that use a capability that is not registered', () => {
    const plan = planTicket(analysis({ category: 'storage' }), 'disk full', builtinRunbooks, (id) =>
      id.startsWith('commander.') ? undefined : readOnly(id, {}),
    );
    expect(plan.runbookId).toBeNull();
  });

  it('prefers the runbook whose keywords match the ticket', () => {
    const plan = planTicket(
      analysis({ category: 'performance' }, { serviceName: 'api', found: [] }),
      'everything is slow, high cpu and load',
      builtinRunbooks,
      readOnly,
    );
    expect(plan.runbookId).toBe('host-slow');
  });

  it('holds a change with no backup before it, unless the runbook says why it needs none', () => {
    const restart = (withoutBackup?: string): Runbook => ({
      id: 'restart',
      title: 'restart',
      categories: ['application'],
      keywords: [],
      diagnose: [],
      fix: [
        {
          capability: 'commander.execute_command',
          params: { device_id: 'local', command: 'systemctl restart x' },
          description: 'restart',
          ...(withoutBackup ? { withoutBackup } : {}),
        },
      ],
      verify: [
        {
          capability: 'monitoring.check_service_health',
          params: { service_name: 'x' },
          description: 'check',
          expect: [],
        },
      ],
    });
    const lookup: CatalogueLookup = (id) => ({
      agent: id.split('.')[0]!,
      risk: id.startsWith('commander.') ? 'change' : 'read',
    });
    const bare = planTicket(analysis({ priority: 'medium' }), 'x', [restart()], lookup);
    expect(bare.steps[0]).toMatchObject({
      decision: 'needs_approval',
      decisionReason: expect.stringMatching(/backup/),
    });
    const stated = planTicket(analysis({ priority: 'high' }), 'x', [restart('a restart keeps no state')], lookup);
    expect(stated.steps[0]).toMatchObject({
      decision: 'run',
      decisionReason: 'change, verified; nothing to back up: a restart keeps no state',
    });
    const verifyOnly = planTicket(analysis(), 'x', [restart()], lookup, {}, { changePolicy: 'verify' });
    expect(verifyOnly.steps[0]!.decision).toBe('run');
    const approveAll = planTicket(
      analysis(),
      'x',
      [restart('a restart keeps no state')],
      lookup,
      {},
      { changePolicy: 'approve' },
    );
    expect(approveAll.steps[0]!.decision).toBe('needs_approval');
  });

  it('fills declared parameters from the analysis, validates them, and lets a caller override them', () => {
    const runbook: Runbook = {
      id: 'p',
      title: 'p',
      categories: ['database'],
      keywords: [],
      requires: ['service'],
      parameters: {
        service: { type: 'string', from: '{{context.serviceName}}', pattern: '^[a-z]+$' },
        grace_ms: { type: 'integer', default: 2000, minimum: 100, maximum: 10000 },
      },
      diagnose: [
        {
          id: 'find',
          capability: 'database.find',
          params: { service_name: '{{params.service}}' },
          description: 'find',
        },
      ],
      fix: [
        {
          capability: 'database.end',
          params: { service_name: '{{params.service}}', pids: '{{steps.find.pids}}', grace_ms: '{{params.grace_ms}}' },
          description: 'end',
          withoutBackup: 'sessions keep no state',
        },
      ],
      verify: [
        {
          capability: 'database.find',
          params: { service_name: '{{params.service}}' },
          description: 'again',
          expect: [{ path: 'count', op: 'lt', value: '{{steps.find.count}}' }],
        },
      ],
    };
    const db = (serviceName?: string) =>
      analysis({ category: 'database' }, { ...(serviceName ? { serviceName } : {}), found: [] });
    const plan = planTicket(db('orders'), 'slow', [runbook], readOnly);
    expect(plan.parameters).toEqual({ service: 'orders', grace_ms: 2000 });
    // Outputs of earlier steps stay templates until the step runs.
    expect(plan.steps[1]!.params).toEqual({ service_name: 'orders', pids: '{{steps.find.pids}}', grace_ms: 2000 });
    expect(plan.steps[0]!.ref).toBe('find');
    expect(plan.steps[2]!.expect).toEqual([{ path: 'count', op: 'lt', value: '{{steps.find.count}}' }]);
    const noService = planTicket(db(), 'slow', [runbook], readOnly);
    expect(noService.runbookId).toBeNull();
    expect(noService.rejected).toEqual([{ runbookId: 'p', reason: 'the ticket names no service' }]);
    const badName = planTicket(db('Orders-1'), 'slow', [runbook], readOnly);
    expect(badName.rejected![0]!.reason).toMatch(/parameter service: must match/);
    const overridden = planTicket(db('orders'), 'slow', [runbook], readOnly, {}, { overrides: { grace_ms: '500' } });
    expect(overridden.parameters).toEqual({ service: 'orders', grace_ms: 500 });
    const outOfRange = planTicket(db('orders'), 'slow', [runbook], readOnly, {}, { overrides: { grace_ms: 5 } });
    expect(outOfRange.runbookId).toBeNull();
    const forced = planTicket(
      analysis({ category: 'hardware' }, { serviceName: 'orders', found: [] }),
      'x',
      [runbook],
      readOnly,
      {},
      { force: true },
    );
    expect(forced.runbookId).toBe('p');
  });

  it('refuses a step that needs an approval when its parameters come from an earlier output (nobody can approve it blind)', () => {
    const runbook: Runbook = {
      id: 'blind',
      title: 'blind',
      categories: ['application'],
      keywords: [],
      diagnose: [{ id: 'find', capability: 'db.find', params: {}, description: 'find' }],
      fix: [
        { capability: 'db.kill', params: { pids: '{{steps.find.pids}}' }, description: 'kill', risk: 'destructive' },
      ],
      verify: [{ capability: 'db.find', params: {}, description: 'again' }],
    };
    const plan = planTicket(analysis(), 'x', [runbook], readOnly);
    expect(plan.steps[1]).toMatchObject({
      decision: 'refuse',
      decisionReason: expect.stringMatching(/earlier step's output and an approval must see them/),
    });
  });

  it('does not list, among the runbooks that did not fit, those the ticket is not about (category, required keyword)', () => {
    const base = {
      keywords: ['certificate'],
      requires: ['host' as const],
      diagnose: [{ capability: 'monitoring.check', params: {}, description: 'c' }],
      fix: [],
      verify: [],
    };
    const keyworded: Runbook = {
      ...base,
      id: 'cert',
      title: 'cert',
      categories: ['application'],
      requireKeyword: true,
    };
    const plain: Runbook = { ...base, id: 'plain', title: 'plain', categories: ['application'] };
    const otherCategory: Runbook = { ...base, id: 'other', title: 'other', categories: ['storage'] };
    const plan = planTicket(analysis(), 'the shop is down', [keyworded, plain, otherCategory], readOnly);
    expect(plan.rejected).toEqual([{ runbookId: 'plain', reason: 'the ticket names no host' }]);
  });

  it('counts a step as risky as the runbook declares, never less than the capability says', () => {
    const runbook: Runbook = {
      id: 'r',
      title: 'r',
      categories: ['application'],
      keywords: [],
      diagnose: [{ capability: 'files.list', params: {}, description: 'declared destructive', risk: 'destructive' }],
      fix: [],
      verify: [],
    };
    const plan = planTicket(analysis(), 'x', [runbook], readOnly);
    expect(plan.steps[0]).toMatchObject({ risk: 'destructive', decision: 'needs_approval' });
  });

  it('on equal scores prefers the plan that changes less', () => {
    const base = {
      categories: ['application' as const],
      keywords: [],
      diagnose: [],
      verify: [{ capability: 'monitoring.check', params: {}, description: 'v' }],
    };
    const invasive: Runbook = {
      ...base,
      id: 'a-invasive',
      title: 'a',
      fix: [{ capability: 'commander.run', params: {}, description: 'x', withoutBackup: 'none' }],
    };
    const gentle: Runbook = { ...base, id: 'b-gentle', title: 'b', fix: [] };
    const lookup: CatalogueLookup = (id) => ({ agent: 'x', risk: id.startsWith('commander.') ? 'change' : 'read' });
    expect(planTicket(analysis(), 'x', [invasive, gentle], lookup).runbookId).toBe('b-gentle');
  });
});

describe('decideStep', () => {
  it('runs reads, gates changes on verification and backups, and always holds destructive steps', () => {
    expect(decideStep({ risk: 'read', priority: 'critical', backupBefore: false, verified: false }).decision).toBe(
      'run',
    );
    expect(decideStep({ risk: 'change', priority: 'low', backupBefore: false, verified: false }).decision).toBe(
      'needs_approval',
    );
    expect(decideStep({ risk: 'change', priority: 'critical', backupBefore: true, verified: true }).decision).toBe(
      'run',
    );
    expect(decideStep({ risk: 'change', priority: 'low', backupBefore: false, verified: true }).decision).toBe(
      'needs_approval',
    );
    expect(
      decideStep({ risk: 'change', priority: 'low', backupBefore: false, verified: true, withoutBackup: 'stateless' })
        .decision,
    ).toBe('run');
    expect(decideStep({ risk: 'destructive', priority: 'low', backupBefore: true, verified: true }).decision).toBe(
      'needs_approval',
    );
  });
});

describe('evaluateCondition', () => {
  it('reads dot paths and requires every element under a * to hold', () => {
    const output = { healthy: true, disk: [{ use_percent: 40 }, { use_percent: 95 }] };
    expect(evaluateCondition(output, { path: 'healthy', op: 'eq', value: true }).held).toBe(true);
    expect(evaluateCondition(output, { path: 'disk.*.use_percent', op: 'lt', value: 90 })).toMatchObject({
      held: false,
      actual: [40, 95],
    });
    expect(evaluateCondition(output, { path: 'disk.*.use_percent', op: 'lt', value: 99 }).held).toBe(true);
  });

  it('treats a missing value or an empty list as not holding', () => {
    expect(evaluateCondition({}, { path: 'memory.used_percent', op: 'lt', value: 95 }).held).toBe(false);
    expect(evaluateCondition({ disk: [] }, { path: 'disk.*.use_percent', op: 'lt', value: 90 }).held).toBe(false);
  });
});
