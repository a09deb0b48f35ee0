// The triage paths under evaluation: the rules (the analysers the platform runs without a model) and the LLM.
import { classifyText } from '../../src/agents/classifier/classify-ticket.ts';
import { analyzeSentimentText } from '../../src/agents/sentiment/analyze-sentiment.ts';
import { createLlmAnalyst } from '../../src/adapters/llm/llm-analyst.ts';
import { analyzeWithLlm } from '../../src/core/llm-analysis.ts';
import { combinePriority } from '../../src/core/ticket-analyzer.ts';
import type { Category, Intent, Priority, Sentiment } from '../../src/core/ticket.ts';

export interface TriagePath {
  name: string;
  ticket(text: string): Promise<{ category: Category; priority: Priority; intent: Intent }>;
  sentiment(text: string): Promise<Sentiment>;
}

/** The rules path as the analyser combines it: classification, then priority raised or lowered by urgency. */
export function rulesPath(): TriagePath {
  return {
    name: 'rules',
    ticket: async (text) => {
      const classified = classifyText(text);
      return {
        category: classified.category,
        intent: classified.intent,
        priority: combinePriority(classified.priority, analyzeSentimentText(text).urgency),
      };
    },
    sentiment: async (text) => analyzeSentimentText(text).sentiment,
  };
}

/**
 * The LLM path as the analyser runs it, when OLLAMA_BASE_URL is set: the model's answer, or the rules' when
 * the answer is refused (the fallbacks are counted and printed, so a silent fallback cannot pass for the model).
 */
export function llmPath(): TriagePath | undefined {
  const baseUrl = process.env.OLLAMA_BASE_URL;
  if (!baseUrl) return undefined;
  const analyst = createLlmAnalyst({
    api: 'ollama',
    baseUrl,
    model: process.env.OLLAMA_MODEL ?? 'mistral',
    apiKey: undefined,
    timeoutMs: Number(process.env.TWISTERLAB_LLM_TIMEOUT_MS ?? 20_000),
    minConfidence: 0.6,
    inputTokens: 2_000,
  });
  const rules = rulesPath();
  const fallbacks = new Map<string, number>();
  const ask = async (text: string) => {
    const answer = await analyzeWithLlm(analyst, text);
    if (!answer.ok) fallbacks.set(answer.reason, (fallbacks.get(answer.reason) ?? 0) + 1);
    return answer.ok ? answer.value : undefined;
  };
  process.on('exit', () => {
    if (fallbacks.size > 0) console.log('LLM fallbacks:', Object.fromEntries(fallbacks));
  });
  return {
    name: `llm (${analyst.llm.client.model})`,
    ticket: async (text) => {
      const answer = await ask(text);
      const fallback = await rules.ticket(text);
      return answer
        ? { category: answer.category, priority: answer.priority, intent: answer.intent ?? fallback.intent }
        : fallback;
    },
    sentiment: async (text) => (await ask(text))?.sentiment ?? rules.sentiment(text),
  };
}
