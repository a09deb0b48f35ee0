import { describe, expect, it } from 'vitest';
import type { LlmClient, LlmRequest } from './llm.ts';
import { GuardedLlm } from './llm-guard.ts';

/** A client whose answers the test releases by hand, so that calls can be in flight together. */
function scriptedClient() {
  const pending: Array<{ resolve: (text: string) => void; reject: (error: Error) => void }> = [];
  let calls = 0;
  const client: LlmClient = {
    name: 'scripted',
    model: 'm',
    health: async () => true,
    complete: (request: LlmRequest) =>
      new Promise<string>((resolve, reject) => {
        calls += 1;
        const entry = { resolve, reject };
        pending.push(entry);
        request.signal?.addEventListener(
          'abort',
          () => {
            pending.splice(pending.indexOf(entry), 1);
            reject(new Error('aborted'));
          },
          { once: true },
        );
      }),
  };
  return {
    client,
    get calls() {
      return calls;
    },
    answer: (text = '{}') => pending.shift()!.resolve(text),
    fail: () => pending.shift()!.reject(new Error('HTTP 500')),
  };
}

/** Lets every pending promise step run, so that a call has reached the client (the cache lookup comes first). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const request = (n: number) => ({ system: 's', user: `ticket ${n}`, schema: {} });

async function openCircuit(guard: GuardedLlm, script: ReturnType<typeof scriptedClient>): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const call = guard.complete(request(i));
    await settle();
    script.fail();
    expect((await call).ok).toBe(false);
  }
}

describe('the LLM circuit breaker', () => {
  it('opens after a run of failures and refuses calls without reaching the server while open', async () => {
    let now = 0;
    const script = scriptedClient();
    const guard = new GuardedLlm(script.client, {
      timeoutMs: 60_000,
      failureThreshold: 3,
      openMs: 1_000,
      now: () => now,
    });
    await openCircuit(guard, script);
    now = 999;
    expect(await guard.complete(request(10))).toMatchObject({ ok: false, kind: 'circuit_open' });
    expect(script.calls).toBe(3);
    expect(await guard.healthy()).toBe(false);
  });

  it('lets exactly one trial call through after the open period, refusing the others while it runs', async () => {
    let now = 0;
    const script = scriptedClient();
    const guard = new GuardedLlm(script.client, {
      timeoutMs: 60_000,
      failureThreshold: 3,
      openMs: 1_000,
      now: () => now,
    });
    await openCircuit(guard, script);
    now = 1_000;
    const trial = guard.complete(request(20));
    const others = await Promise.all([guard.complete(request(21)), guard.complete(request(22))]);
    expect(others.map((r) => r.ok || r.kind)).toEqual(['circuit_open', 'circuit_open']);
    expect(script.calls).toBe(4);
    script.answer('{"ok":true}');
    expect(await trial).toMatchObject({ ok: true, text: '{"ok":true}' });
    const after = Promise.all([guard.complete(request(23)), guard.complete(request(24))]);
    await settle();
    script.answer();
    script.answer();
    expect((await after).every((r) => r.ok)).toBe(true);
    expect(script.calls).toBe(6);
  });

  it('opens again at once when the trial call fails, for another full period', async () => {
    let now = 0;
    const script = scriptedClient();
    const guard = new GuardedLlm(script.client, {
      timeoutMs: 60_000,
      failureThreshold: 3,
      openMs: 1_000,
      now: () => now,
    });
    await openCircuit(guard, script);
    now = 1_500;
    const trial = guard.complete(request(30));
    await settle();
    script.fail();
    expect(await trial).toMatchObject({ ok: false, kind: 'error' });
    now = 2_499;
    expect(await guard.complete(request(31))).toMatchObject({ ok: false, kind: 'circuit_open' });
    now = 2_500;
    const second = guard.complete(request(32));
    await settle();
    script.answer();
    expect((await second).ok).toBe(true);
    expect(script.calls).toBe(5);
  });

  it('does not count a call the caller gave up on as a failure of the server, and frees the trial', async () => {
    let now = 0;
    const script = scriptedClient();
    const guard = new GuardedLlm(script.client, {
      timeoutMs: 60_000,
      failureThreshold: 3,
      openMs: 1_000,
      now: () => now,
    });
    await openCircuit(guard, script);
    now = 1_000;
    const controller = new AbortController();
    const abandoned = guard.complete(request(40), controller.signal);
    await settle();
    controller.abort();
    expect((await abandoned).ok).toBe(false);
    const next = guard.complete(request(41));
    await settle();
    script.answer();
    expect((await next).ok).toBe(true);
  });

  it('answers a repeated request from the cache even while the circuit is open', async () => {
    const now = 0;
    const script = scriptedClient();
    const guard = new GuardedLlm(script.client, {
      timeoutMs: 60_000,
      failureThreshold: 3,
      openMs: 1_000,
      now: () => now,
    });
    const first = guard.complete(request(50));
    await settle();
    script.answer('{"cached":1}');
    await first;
    await openCircuit(guard, script);
    expect(await guard.complete(request(50))).toEqual({ ok: true, text: '{"cached":1}', cached: true });
  });
});
