// The sentiment agent: rates a ticket's tone and urgency with lexicons and support-domain rules (no model),
// fast enough to run on every ticket.
import { z } from 'zod';
import { defineAgent, defineCapability, type Agent } from '../../core/capability.ts';
import { ANALYZE_SENTIMENT, fulfils } from '../../core/capability-contracts.ts';
import { SENTIMENTS, URGENCIES } from '../../core/ticket.ts';
import { analyzeSentimentText } from './analyze-sentiment.ts';

export type SentimentDeps = Record<string, never>;

const inputSchema = z.strictObject({
  text: z.string().min(1).max(20_000),
  detailed: z.boolean().default(false),
});

const outputSchema = z.strictObject({
  sentiment: z.enum(SENTIMENTS),
  confidence: z.number().min(0).max(1),
  urgency: z.enum(URGENCIES),
  score: z.number(),
  evidence: z.array(z.strictObject({ cue: z.string(), kind: z.string(), weight: z.number() })).optional(),
});

export const analyzeSentiment = fulfils(
  ANALYZE_SENTIMENT,
  defineCapability<typeof inputSchema, typeof outputSchema, SentimentDeps>({
    id: ANALYZE_SENTIMENT.id,
    description:
      'Rate the sentiment (negative, neutral, positive) and urgency of a support message; `detailed` lists the cues that fired',
    risk: 'read',
    input: inputSchema,
    output: outputSchema,
    timeoutMs: 2_000,
    run: async ({ text, detailed }) => {
      const { evidence, ...rating } = analyzeSentimentText(text);
      return detailed ? { ...rating, evidence } : rating;
    },
  }),
);

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const sentimentAgent = {
  id: 'sentiment',
  description: 'Sentiment and urgency of support messages, from lexicons and support-domain cues',
  capabilities: [analyzeSentiment],
};

export function createSentimentAgent(deps: SentimentDeps = {}): Agent<SentimentDeps> {
  return defineAgent({ ...sentimentAgent, deps });
}
