// LLM adapter for Ollama: /api/chat with the JSON schema in `format` (structured output), health from
// /api/tags (the server answers and has the model pulled).
import type { LlmClient, LlmRequest } from '../../core/llm.ts';
import { requestJson, trimSlash } from './http-json.ts';

export interface OllamaOptions {
  baseUrl: string;
  model: string;
}

interface ChatAnswer {
  message?: { content?: unknown };
}
interface TagsAnswer {
  models?: Array<{ name?: string; model?: string }>;
}

export function createOllamaClient(options: OllamaOptions): LlmClient {
  const base = trimSlash(options.baseUrl);
  const { model } = options;
  return {
    name: 'ollama',
    model,
    async health(signal) {
      const tags = (await requestJson(`${base}/api/tags`, { ...(signal ? { signal } : {}) })) as TagsAnswer;
      // "mistral" matches "mistral:latest": Ollama names a default tag.
      return (tags.models ?? []).some((m) => [m.name, m.model].some((n) => n === model || n === `${model}:latest`));
    },
    async complete(request: LlmRequest) {
      const answer = (await requestJson(`${base}/api/chat`, {
        body: {
          model,
          stream: false,
          format: request.schema,
          options: { temperature: 0 },
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
        },
        ...(request.signal ? { signal: request.signal } : {}),
      })) as ChatAnswer;
      const content = answer.message?.content;
      if (typeof content !== 'string') throw new Error('the answer has no message content');
      return content;
    },
  };
}
