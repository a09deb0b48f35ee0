import { describe, it, expect } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { analyzeSentiment, createSentimentAgent } from './sentiment-agent.ts';

function registry(): CapabilityRegistry {
  const reg = new CapabilityRegistry({ logger: silentLogger });
  reg.register(createSentimentAgent());
  return reg;
}

describe('sentiment agent', () => {
  it('runs the capability through the registry', async () => {
    const result = await registry().invoke(
      'sentiment.analyze_sentiment',
      { text: 'The website is down again!' },
      { actor: 'test' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(analyzeSentiment.output.safeParse(result.output).success).toBe(true);
    expect(result.output).toMatchObject({ sentiment: 'negative', urgency: 'high' });
    expect(result.output).not.toHaveProperty('evidence');
  });

  it('names the cues it used when detailed is asked for', async () => {
    const result = await registry().invoke(
      'sentiment.analyze_sentiment',
      { text: 'Charged twice and still waiting for my refund', detailed: true },
      { actor: 'test' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const output = result.output as { evidence: Array<{ cue: string; kind: string; weight: number }> };
    expect(output.evidence).toContainEqual({ cue: 'charged twice', kind: 'complaint', weight: -3 });
    expect(output.evidence.every((e) => typeof e.weight === 'number')).toBe(true);
  });

  it.each([
    ['empty text', { text: '' }],
    ['text over 20 000 characters', { text: 'x'.repeat(20_001) }],
    ['a missing text', { detailed: true }],
    ['an unknown field', { text: 'hello', language: 'en' }],
    ['a non-boolean detailed flag', { text: 'hello', detailed: 'yes' }],
  ])('rejects %s with VALIDATION_FAILED', async (_label, input) => {
    const result = await registry().invoke('sentiment.analyze_sentiment', input, { actor: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('describes itself as a read-only capability with JSON schemas', () => {
    const descriptor = registry().get('sentiment.analyze_sentiment');
    expect(descriptor).toMatchObject({ agent: 'sentiment', risk: 'read' });
    expect(descriptor?.inputSchema).toMatchObject({ type: 'object', required: ['text'] });
  });
});
