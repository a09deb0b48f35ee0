import { describe, it, expect } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { CATEGORIES } from '../../core/ticket.ts';
import { classifyTicket, createClassifierAgent } from './classifier-agent.ts';

function registry(): CapabilityRegistry {
  const reg = new CapabilityRegistry({ logger: silentLogger });
  reg.register(createClassifierAgent());
  return reg;
}

describe('classifier agent', () => {
  it('runs the capability through the registry', async () => {
    const result = await registry().invoke(
      'classifier.classify_ticket',
      { description: 'Disk full on the NAS: no space left on device' },
      { actor: 'test' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(classifyTicket.output.safeParse(result.output).success).toBe(true);
    const output = result.output as { category: string; scores: Record<string, number>; evidence: unknown[] };
    expect(output.category).toBe('storage');
    expect(Object.keys(output.scores).sort()).toEqual([...CATEGORIES].sort());
    expect(output.evidence.length).toBeGreaterThan(0);
  });

  it.each([
    ['an empty description', { description: '' }],
    ['a description over 20 000 characters', { description: 'x'.repeat(20_001) }],
    ['a missing description', {}],
    ['an unknown field', { description: 'printer jam', priority: 'high' }],
    ['a description that is not a string', { description: 42 }],
  ])('rejects %s with VALIDATION_FAILED', async (_label, input) => {
    const result = await registry().invoke('classifier.classify_ticket', input, { actor: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('describes itself as a read-only capability', () => {
    expect(registry().get('classifier.classify_ticket')).toMatchObject({ agent: 'classifier', risk: 'read' });
  });
});
