// Model answers shared through a redis-server of this file's own: two guarded clients stand for two workers.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardedLlm } from '../../core/llm-guard.ts';
import type { LlmClient } from '../../core/llm.ts';
import { startTestRedis, type TestRedis } from '../../../test/helpers/redis-server.ts';
import { createRedisAnswerCache } from './redis-answer-cache.ts';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

function countingModel(): LlmClient & { calls: number } {
  const model = {
    name: 'stub',
    model: 'm1',
    calls: 0,
    health: async () => true,
    complete: async () => {
      model.calls += 1;
      return `{"answer":${model.calls}}`;
    },
  };
  return model;
}

const request = (text: string) => ({ system: 'triage', user: text, schema: { type: 'object' } });

describe('the Redis answer cache', () => {
  it("serves one worker's model answer to another worker asking the same thing, without a second call", async () => {
    const prefix = `c${randomUUID().slice(0, 8)}`;
    const cache = createRedisAnswerCache({ redis, prefix, ttlMs: 60_000 });
    const [modelA, modelB] = [countingModel(), countingModel()];
    const workerA = new GuardedLlm(modelA, { timeoutMs: 1_000, cache });
    const workerB = new GuardedLlm(modelB, { timeoutMs: 1_000, cache });
    expect(await workerA.complete(request('the shop is down'))).toEqual({
      ok: true,
      text: '{"answer":1}',
      cached: false,
    });
    expect(await workerB.complete(request('the shop is down'))).toEqual({
      ok: true,
      text: '{"answer":1}',
      cached: true,
    });
    expect(modelB.calls).toBe(0);
    // Another text is another question.
    expect(await workerB.complete(request('the disk is full'))).toMatchObject({ cached: false });
    const keys = await redis.keys(`${prefix}:llm-answers:*`);
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => /:[0-9a-f]{64}$/.test(k))).toBe(true);
  });

  it('forgets an answer after its TTL', async () => {
    const cache = createRedisAnswerCache({ redis, prefix: `c${randomUUID().slice(0, 8)}`, ttlMs: 300 });
    const model = countingModel();
    const guarded = new GuardedLlm(model, { timeoutMs: 1_000, cache });
    await guarded.complete(request('slow login'));
    expect(await guarded.complete(request('slow login'))).toMatchObject({ cached: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(await guarded.complete(request('slow login'))).toMatchObject({ cached: false, text: '{"answer":2}' });
  });

  it('asks the model when Redis is down, and caches again once it is back', async () => {
    const cache = createRedisAnswerCache({ redis, prefix: `c${randomUUID().slice(0, 8)}`, ttlMs: 60_000 });
    const model = countingModel();
    const guarded = new GuardedLlm(model, { timeoutMs: 1_000, cache });
    await server.kill();
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(await guarded.complete(request('vpn drops'))).toEqual({ ok: true, text: '{"answer":1}', cached: false });
      expect(await guarded.complete(request('vpn drops'))).toEqual({ ok: true, text: '{"answer":2}', cached: false });
    } finally {
      await server.start();
    }
    for (let i = 0; i < 50 && redis.status !== 'ready'; i += 1) await new Promise((r) => setTimeout(r, 100));
    await guarded.complete(request('vpn drops'));
    expect(await guarded.complete(request('vpn drops'))).toMatchObject({ cached: true });
  });
});
