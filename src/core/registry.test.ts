import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineCapability } from './capability.ts';
import { TwisterError } from './errors.ts';
import { silentLogger } from './logger.ts';
import { CapabilityRegistry } from './registry.ts';

const echo = defineCapability({
  id: 'test.echo',
  description: 'echo',
  risk: 'read',
  input: z.strictObject({ text: z.string().min(1) }),
  output: z.object({ text: z.string() }),
  run: async (input) => ({ text: input.text }),
});

let observedSignal: AbortSignal | undefined;
const slow = defineCapability({
  id: 'test.slow',
  description: 'waits until aborted',
  risk: 'read',
  timeoutMs: 50,
  input: z.object({}),
  output: z.object({}),
  run: (_input, ctx) => {
    observedSignal = ctx.signal;
    return new Promise(() => {});
  },
});

const liar = defineCapability({
  id: 'test.liar',
  description: 'returns the wrong shape',
  risk: 'read',
  input: z.object({}),
  output: z.object({ count: z.number() }),
  run: async () => ({ count: 'many' }) as unknown as { count: number },
});

const thrower = defineCapability({
  id: 'test.thrower',
  description: 'throws',
  risk: 'change',
  input: z.object({ coded: z.boolean() }),
  output: z.object({}),
  assessRisk: () => 'destructive',
  run: async (input) => {
    if (input.coded) throw new TwisterError('DEVICE_NOT_FOUND', 'no device x');
    throw new Error('boom');
  },
});

function registry() {
  const r = new CapabilityRegistry({ logger: silentLogger, defaultTimeoutMs: 1000 });
  r.register(
    defineAgent({ id: 'test', description: 'test agent', deps: {}, capabilities: [echo, slow, liar, thrower] }),
  );
  return r;
}

describe('CapabilityRegistry', () => {
  it('runs a capability with valid input and returns its validated output', async () => {
    const result = await registry().invoke('test.echo', { text: 'hi' }, { actor: 't' });
    expect(result).toMatchObject({ ok: true, output: { text: 'hi' } });
  });

  it('refuses invalid input with VALIDATION_FAILED naming the field, without running', async () => {
    const result = await registry().invoke('test.echo', { text: '', extra: 1 }, { actor: 't' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('VALIDATION_FAILED');
    expect(result.error.message).toMatch(/text/);
  });

  it('times out a capability, aborts its signal and reports CAPABILITY_TIMEOUT', async () => {
    const result = await registry().invoke('test.slow', {}, { actor: 't' });
    expect(result).toMatchObject({ ok: false, error: { code: 'CAPABILITY_TIMEOUT', retryable: true } });
    expect(observedSignal?.aborted).toBe(true);
  });

  it('reports CAPABILITY_ABORTED when the caller cancels', async () => {
    const controller = new AbortController();
    const pending = registry().invoke('test.slow', {}, { actor: 't', signal: controller.signal, timeoutMs: 5000 });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CAPABILITY_ABORTED' } });
  });

  it('refuses output that does not match the output schema', async () => {
    expect(await registry().invoke('test.liar', {}, { actor: 't' })).toMatchObject({
      ok: false,
      error: { code: 'OUTPUT_INVALID' },
    });
  });

  it('keeps the code of a TwisterError and turns any other error into CAPABILITY_FAILED', async () => {
    const r = registry();
    expect(await r.invoke('test.thrower', { coded: true }, { actor: 't' })).toMatchObject({
      ok: false,
      error: { code: 'DEVICE_NOT_FOUND' },
    });
    expect(await r.invoke('test.thrower', { coded: false }, { actor: 't' })).toMatchObject({
      ok: false,
      error: { code: 'CAPABILITY_FAILED', message: 'boom' },
    });
  });

  it('answers CAPABILITY_NOT_FOUND for an unknown id', async () => {
    expect(await registry().invoke('nope.nothing', {}, { actor: 't' })).toMatchObject({
      ok: false,
      error: { code: 'CAPABILITY_NOT_FOUND' },
    });
  });

  it('never lets an assessed risk rise above the declared one', () => {
    const r = registry();
    expect(r.riskOf('test.thrower', { coded: true })).toBe('change');
    expect(r.riskOf('test.echo', { text: 'x' })).toBe('read');
  });

  it('describes capabilities with JSON schemas generated from zod', () => {
    const descriptor = registry().get('test.echo')!;
    expect(descriptor.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 } },
      additionalProperties: false,
    });
  });

  it('tells every listener about every call', async () => {
    const r = registry();
    const seen: string[] = [];
    r.onInvocation((e) => seen.push(`${e.capability}:${e.result.ok}`));
    await r.invoke('test.echo', { text: 'a' }, { actor: 't' });
    await r.invoke('test.liar', {}, { actor: 't' });
    expect(seen).toEqual(['test.echo:true', 'test.liar:false']);
  });

  it('refuses a capability whose id is not prefixed by its agent', () => {
    expect(() => defineAgent({ id: 'other', description: '', deps: {}, capabilities: [echo] })).toThrow(
      /other\.<verb>/,
    );
  });
});
