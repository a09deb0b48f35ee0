// LLM adapter for OpenAI-compatible servers (llama.cpp server, vLLM, LM Studio): /v1/chat/completions with a
// `json_schema` response format, health from /v1/models.
import type { LlmClient, LlmRequest } from '../../core/llm.ts';
import { requestJson, trimSlash } from './http-json.ts';

export interface OpenAiCompatibleOptions {
  /** The server root or its /v1 root. */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

interface CompletionAnswer {
  choices?: Array<{ message?: { content?: unknown } }>;
}
interface ModelsAnswer {
  data?: Array<{ id?: string }>;
}

export function createOpenAiCompatibleClient(options: OpenAiCompatibleOptions): LlmClient {
  const root = trimSlash(options.baseUrl);
  const base = root.endsWith('/v1') ? root : `${root}/v1`;
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const { model } = options;
  return {
    name: 'openai-compatible',
    model,
    async health(signal) {
      const models = (await requestJson(`${base}/models`, { headers, ...(signal ? { signal } : {}) })) as ModelsAnswer;
      return (models.data ?? []).some((m) => m.id === model);
    },
    async complete(request: LlmRequest) {
      const answer = (await requestJson(`${base}/chat/completions`, {
        headers,
        body: {
          model,
          temperature: 0,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'answer', strict: true, schema: request.schema },
          },
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
        },
        ...(request.signal ? { signal: request.signal } : {}),
      })) as CompletionAnswer;
      const content = answer.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new Error('the answer has no message content');
      return content;
    },
  };
}
