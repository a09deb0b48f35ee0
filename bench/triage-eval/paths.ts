// The triage paths under evaluation: the rules (the analysers the platform runs without a model) and the LLM.
import { classifyText } from '../../src/agents/classifier/classify-ticket.ts';
import { analyzeSentimentText } from '../../src/agents/sentiment/analyze-sentiment.ts';
import { combinePriority } from '../../src/core/ticket-analyzer.ts';
import type { Category, Priority, Sentiment } from '../../src/core/ticket.ts';

export interface TriagePath {
  name: string;
  ticket(text: string): Promise<{ category: Category; priority: Priority }>;
  sentiment(text: string): Promise<Sentiment>;
}

/** The rules path as the analyser combines it: classification, then priority raised or lowered by urgency. */
export function rulesPath(): TriagePath {
  return {
    name: 'rules',
    ticket: async (text) => {
      const classified = classifyText(text);
      return { category: classified.category, priority: combinePriority(classified.priority, analyzeSentimentText(text).urgency) };
    },
    sentiment: async (text) => analyzeSentimentText(text).sentiment,
  };
}

/** The LLM path, when a server is configured. */
export function llmPath(): TriagePath | undefined {
  return undefined;
}
