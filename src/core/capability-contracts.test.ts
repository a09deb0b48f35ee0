import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineCapability } from './capability.ts';
import { ANALYZE_SENTIMENT, CLASSIFY_TICKET, fulfils } from './capability-contracts.ts';

const sentimentLike = <O extends z.ZodType>(id: string, output: O) =>
  defineCapability({
    id,
    description: 'test',
    risk: 'read',
    input: z.object({ text: z.string(), detailed: z.boolean().default(false) }),
    output,
    run: async () => ({ sentiment: 'neutral', confidence: 1, urgency: 'normal' }) as never,
  });

const fullOutput = z.object({
  sentiment: z.enum(['negative', 'neutral', 'positive']),
  confidence: z.number(),
  urgency: z.enum(['high', 'normal', 'low']),
  extra: z.number(),
});

describe('capability contracts', () => {
  it('accepts a capability of the same id whose output has at least what the contract promises', () => {
    const capability = sentimentLike(ANALYZE_SENTIMENT.id, fullOutput);
    expect(fulfils(ANALYZE_SENTIMENT, capability)).toBe(capability);
  });

  it('refuses at run time a capability declared for another contract', () => {
    expect(() => fulfils(CLASSIFY_TICKET, sentimentLike(ANALYZE_SENTIMENT.id, fullOutput) as never)).toThrow(
      /declared for contract classifier\.classify_ticket/,
    );
  });

  it('refuses at compile time an output schema that lacks a promised field, or an input that does not accept the contract input', () => {
    const missingUrgency = sentimentLike(
      ANALYZE_SENTIMENT.id,
      z.object({ sentiment: z.enum(['negative', 'neutral', 'positive']), confidence: z.number() }),
    );
    // @ts-expect-error the output schema does not give `urgency`
    expect(() => fulfils(ANALYZE_SENTIMENT, missingUrgency)).not.toThrow();
    const wrongInput = defineCapability({
      id: ANALYZE_SENTIMENT.id,
      description: 'test',
      risk: 'read',
      input: z.object({ body: z.string() }),
      output: fullOutput,
      run: async () => ({ sentiment: 'neutral', confidence: 1, urgency: 'normal', extra: 0 }) as const,
    });
    // @ts-expect-error the input schema wants `body`, the contract gives `text`
    expect(() => fulfils(ANALYZE_SENTIMENT, wrongInput)).not.toThrow();
  });
});
