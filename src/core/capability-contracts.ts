// The capabilities core itself relies on, as typed contracts. Core calls them through `registry.call(contract, …)`
// and gets their output typed, with no string id and no cast; each agent's definition is checked against its
// contract at compile time by `fulfils`, and the registry validates every output against the agent's schema.
import type { z } from 'zod';
import type { Capability } from './capability.ts';
import type { Category, Intent, Priority, Sentiment, Urgency } from './ticket.ts';

export interface CapabilityContract<I, O> {
  readonly id: string;
  /** Types only: never set. */
  readonly types?: { input: I; output: O };
}

const contract = <I, O>(id: string): CapabilityContract<I, O> => ({ id });

export interface SentimentOutput {
  sentiment: Sentiment;
  confidence: number;
  urgency: Urgency;
  evidence?: Array<{ cue: string }>;
}

export const ANALYZE_SENTIMENT = contract<{ text: string; detailed?: boolean }, SentimentOutput>(
  'sentiment.analyze_sentiment',
);

export interface ClassifierOutput {
  category: Category;
  priority: Priority;
  confidence: number;
  evidence: Array<{ term: string; category: string }>;
  intent: Intent;
  intentEvidence: Array<{ intent: Intent; term: string }>;
}

export const CLASSIFY_TICKET = contract<{ description: string }, ClassifierOutput>('classifier.classify_ticket');

/**
 * The capability, checked to fulfil the contract: the same id (at run time), an input schema that accepts the
 * contract's input and an output schema whose values are the contract's output (at compile time).
 */
export function fulfils<I, O, C extends Pick<Capability, 'id' | 'input' | 'output'>>(
  wanted: CapabilityContract<I, O>,
  capability: C &
    (I extends z.input<C['input']> ? unknown : { 'input schema does not accept the contract input': never }) &
    (z.output<C['output']> extends O ? unknown : { 'output schema does not give the contract output': never }),
): C {
  if (capability.id !== wanted.id) throw new Error(`capability ${capability.id} is declared for contract ${wanted.id}`);
  return capability;
}
