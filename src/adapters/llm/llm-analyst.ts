// Builds the LLM analysis path from configuration: the adapter for the configured API behind the guard.
import type { LlmConfig } from '../../config.ts';
import type { LlmAnalyst } from '../../core/llm-analysis.ts';
import { GuardedLlm, type AnswerCache } from '../../core/llm-guard.ts';
import { createOllamaClient } from './ollama.ts';
import { createOpenAiCompatibleClient } from './openai-compatible.ts';

/** `cache`: where answers are kept (shared by every worker on Redis); this process's memory by default. */
export function createLlmAnalyst(config: LlmConfig, cache?: AnswerCache): LlmAnalyst {
  const client =
    config.api === 'ollama'
      ? createOllamaClient({ baseUrl: config.baseUrl, model: config.model })
      : createOpenAiCompatibleClient({
          baseUrl: config.baseUrl,
          model: config.model,
          ...(config.apiKey ? { apiKey: config.apiKey } : {}),
        });
  return {
    llm: new GuardedLlm(client, { timeoutMs: config.timeoutMs, ...(cache ? { cache } : {}) }),
    minConfidence: config.minConfidence,
    inputTokens: config.inputTokens,
  };
}
