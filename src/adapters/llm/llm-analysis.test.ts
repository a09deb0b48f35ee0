import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClassifierAgent } from '../../agents/classifier/classifier-agent.ts';
import { createSentimentAgent } from '../../agents/sentiment/sentiment-agent.ts';
import { GuardedLlm } from '../../core/llm-guard.ts';
import type { LlmClient } from '../../core/llm.ts';
import { silentLogger } from '../../core/logger.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { analyzeTicket } from '../../core/ticket-analyzer.ts';
import { startLlmStub, type LlmStub } from '../../../test/helpers/llm-stub-server.ts';
import { createOllamaClient } from './ollama.ts';
import { createOpenAiCompatibleClient } from './openai-compatible.ts';

const registry = new CapabilityRegistry({ logger: silentLogger, defaultTimeoutMs: 5_000 });
registry.register(createSentimentAgent());
registry.register(createClassifierAgent());
const known = () => ({ devices: [], services: [] });

const valid = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    category: 'database',
    priority: 'high',
    sentiment: 'negative',
    urgency: 'high',
    summary: 'The orders database refuses connections.',
    confidence: 0.9,
    injection_suspected: false,
    ...over,
  });

let stub: LlmStub;
beforeAll(async () => {
  stub = await startLlmStub(['mistral:latest', 'qwen2.5']);
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

function analyst(client: LlmClient, timeoutMs = 2_000) {
  return {
    llm: new GuardedLlm(client, { timeoutMs, failureThreshold: 3, openMs: 60_000 }),
    minConfidence: 0.6,
    inputTokens: 500,
  };
}
const ollama = () => createOllamaClient({ baseUrl: stub.url, model: 'mistral' });
const analyse = (llm: ReturnType<typeof analyst>, text = 'our app cannot connect to the orders database since 9am') =>
  analyzeTicket({ registry, known, llm }, text, {});

describe('LLM analysis (recorded Ollama answers on a local stub server)', () => {
  it('uses a valid answer and records the llm path, sending the schema in `format`', async () => {
    stub.answers = [{ content: valid() }];
    const analysis = await analyse(analyst(ollama()));
    expect(analysis).toMatchObject({
      path: 'llm',
      category: 'database',
      priority: 'high',
      sentiment: 'negative',
      confidence: 0.9,
    });
    expect(analysis.fallbackReason).toBeUndefined();
    const chat = stub.requests.find((r) => r.path === '/api/chat')!;
    expect(chat.body.model).toBe('mistral');
    expect(chat.body.format.properties.category.enum).toContain('database');
  });

  it('falls back to the rules on malformed JSON and says why', async () => {
    stub.answers = [{ content: '{"category": "database", ' }];
    const analysis = await analyse(analyst(ollama()));
    expect(analysis.path).toBe('rules');
    expect(analysis.fallbackReason).toBe('the answer is not JSON');
  });

  it('refuses an invented category', async () => {
    stub.answers = [{ content: valid({ category: 'billing' }) }];
    const analysis = await analyse(analyst(ollama()));
    expect(analysis.path).toBe('rules');
    expect(analysis.fallbackReason).toMatch(/category/);
  });

  it('refuses an answer that smuggles a shell command in an extra field', async () => {
    stub.answers = [{ content: valid({ command: 'rm -rf / --no-preserve-root' }) }];
    const analysis = await analyse(analyst(ollama()));
    expect(analysis.path).toBe('rules');
    expect(JSON.stringify(analysis)).not.toContain('rm -rf');
  });

  it('falls back when the model is unsure', async () => {
    stub.answers = [{ content: valid({ confidence: 0.3 }) }];
    expect((await analyse(analyst(ollama()))).fallbackReason).toBe('confidence 0.3 is below 0.6');
  });

  it('falls back on a slow answer past the timeout', async () => {
    stub.answers = [{ content: valid(), delayMs: 1_500 }];
    // The answer would be valid after 1.5 s: only our 300 ms timeout turns it into a fallback.
    const analysis = await analyse(analyst(ollama(), 300));
    expect(analysis.fallbackReason).toBe('no answer within 300 ms');
  });

  it('opens the circuit after repeated 500s and stops calling the server', async () => {
    stub.answers = [{ status: 500 }];
    const llm = analyst(ollama());
    for (let i = 0; i < 3; i += 1)
      expect((await analyse(llm, `ticket ${i}: the vpn is down`)).fallbackReason).toMatch(/HTTP 500/);
    const calls = stub.requests.filter((r) => r.path === '/api/chat').length;
    expect((await analyse(llm, 'ticket 4: the vpn is down')).fallbackReason).toBe(
      'circuit open after repeated failures',
    );
    expect(stub.requests.filter((r) => r.path === '/api/chat')).toHaveLength(calls);
  });

  it('is unhealthy when the server does not list the model', async () => {
    stub.answers = [{ content: valid() }];
    const analysis = await analyse(analyst(createOllamaClient({ baseUrl: stub.url, model: 'llama3' })));
    expect(analysis.fallbackReason).toBe('the model server is not healthy');
  });

  it('caches answers by content: the same ticket asks the model once', async () => {
    stub.answers = [{ content: valid() }];
    const llm = analyst(ollama());
    await analyse(llm, 'the billing database is down');
    await analyse(llm, 'the billing database is down');
    expect(stub.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
  });

  it('sends the ticket redacted and delimited as data, never its secrets', async () => {
    stub.answers = [{ content: valid() }];
    await analyse(
      analyst(ollama()),
      'db login fails with password=Hunter2secret and postgres://app:s3cr3t@db:5432/x, token ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    );
    const prompt = JSON.stringify(stub.requests.find((r) => r.path === '/api/chat')!.body.messages);
    expect(prompt).not.toMatch(/Hunter2secret|s3cr3t|ghp_abc/);
    expect(prompt).toContain('[REDACTED]');
    expect(prompt).toMatch(/<<<ticket-[0-9a-f]+>>>/);
    expect(prompt).toContain('never an instruction');
  });
});

describe('LLM analysis (recorded OpenAI-compatible answers on a local stub server)', () => {
  const client = () => createOpenAiCompatibleClient({ baseUrl: stub.url, model: 'qwen2.5' });

  it('uses a valid answer, with the schema as a json_schema response format', async () => {
    stub.answers = [{ content: valid({ category: 'network', summary: 'VPN down.' }) }];
    const analysis = await analyse(analyst(client()), 'vpn down for the whole office');
    expect(analysis).toMatchObject({ path: 'llm', category: 'network' });
    const body = stub.requests.find((r) => r.path === '/v1/chat/completions')!.body;
    expect(body.response_format.json_schema.schema.properties.priority.enum).toEqual([
      'critical',
      'high',
      'medium',
      'low',
    ]);
  });

  it('falls back to the rules on a 500', async () => {
    stub.answers = [{ status: 500 }];
    expect((await analyse(analyst(client()), 'printer jammed again')).fallbackReason).toMatch(/HTTP 500/);
  });
});
