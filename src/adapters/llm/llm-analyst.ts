// Builds the LLM analysis path from configuration: the adapter for the configured API behind the guard.
import type { LlmConfig } from '../../config.ts';
import type { LlmAnalyst } from '../../core/llm-analysis.ts';
import { GuardedLlm } from '../../core/llm-guard.ts';
import { createOllamaClient } from './ollama.ts';
import { createOpenAiCompatibleClient } from './openai-compatible.ts';

export function createLlmAnalyst(config: LlmConfig): LlmAnalyst {
  const client = config.api === 'ollama'
    ? createOllamaClient({ baseUrl: config.baseUrl, model: config.model })
    : createOpenAiCompatibleClient({ baseUrl: config.baseUrl, model: config.model, ...(config.apiKey ? { apiKey: config.apiKey } : {}) });
  return { llm: new GuardedLlm(client, { timeoutMs: config.timeoutMs }), minConfidence: config.minConfidence, inputTokens: config.inputTokens };
}
