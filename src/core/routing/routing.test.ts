import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING, parseRouting, route } from './routing.ts';
import type { Analysis } from '../ticket.ts';

const ticket = (over: Partial<Pick<Analysis, 'category' | 'intent'>> & { service?: string } = {}) =>
  ({
    category: over.category ?? 'other',
    intent: over.intent ?? 'incident',
    context: { found: [], ...(over.service ? { serviceName: over.service } : {}) },
  }) as Pick<Analysis, 'category' | 'intent' | 'context'>;

describe('routing', () => {
  const routing = parseRouting(
    {
      rules: [
        { name: 'money', intent: ['billing'], team: 'finance', assignee: 'dana' },
        { category: ['database'], service: ['orders-db'], team: 'dba' },
        { keywords: ['payroll run'], team: 'hr systems' },
      ],
      default: { team: 'first line' },
    },
    'test',
  );

  it('takes the first rule whose every condition holds, and says which', () => {
    expect(route(routing, ticket({ intent: 'billing' }), 'refund please')).toEqual({
      team: 'finance',
      assignee: 'dana',
      reason: 'rule money (intent billing)',
    });
    expect(route(routing, ticket({ category: 'database', service: 'orders-db' }), 'slow')).toMatchObject({
      team: 'dba',
    });
    expect(route(routing, ticket({ category: 'database' }), 'slow')).toMatchObject({
      team: 'first line',
      reason: 'default',
    });
    expect(route(routing, ticket(), 'The Payroll  run failed')).toMatchObject({
      team: 'hr systems',
      reason: 'rule 3 ("payroll run")',
    });
    expect(route(routing, ticket(), 'payroll running late')).toMatchObject({ team: 'first line' });
  });

  it.each([
    [{ rules: [], default: {} }, /default\.team/],
    [{ rules: [{ team: 'x' }], default: { team: 'y' } }, /rules\.0: a rule needs at least one of/],
    [{ rules: [{ intent: ['refunds'], team: 'x' }], default: { team: 'y' } }, /rules\.0\.intent\.0/],
    [{ rules: [], default: { team: 'y' }, extra: 1 }, /document|extra/],
  ])('refuses a bad routing file naming the field (%j)', (doc, message) => {
    expect(() => parseRouting(doc, 'TWISTERLAB_ROUTING_FILE (r.yaml)')).toThrow(message);
  });

  it('routes every ticket somewhere without a file', () => {
    expect(route(DEFAULT_ROUTING, ticket({ intent: 'billing' }), '').team).toBe('billing');
    expect(route(DEFAULT_ROUTING, ticket({ category: 'security' }), '').team).toBe('security');
    expect(route(DEFAULT_ROUTING, ticket(), '').team).toBe('service desk');
  });
});
