import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClassifierAgent } from '../../agents/classifier/classifier-agent.ts';
import { createSentimentAgent } from '../../agents/sentiment/sentiment-agent.ts';
import { GuardedLlm } from '../../core/llm-guard.ts';
import { planWithLlm, runbookOptions } from '../../core/llm-planning.ts';
import { silentLogger } from '../../core/logger.ts';
import { planTicket } from '../../core/planner.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { loadBuiltinRunbooks } from '../runbooks/runbook-files.ts';
import type { Runbook } from '../../core/runbooks/runbook.ts';
import { analyzeTicket } from '../../core/ticket-analyzer.ts';
import type { Analysis } from '../../core/ticket.ts';
import { startLlmStub, type LlmStub } from '../../../test/helpers/llm-stub-server.ts';
import { createOllamaClient } from './ollama.ts';

const builtinRunbooks = loadBuiltinRunbooks();

const registry = new CapabilityRegistry({ logger: silentLogger, defaultTimeoutMs: 5_000 });
registry.register(createSentimentAgent());
registry.register(createClassifierAgent());
const known = { devices: ['web-1'], services: ['shop', 'orders-db'] };
const catalogue = new Set(
  builtinRunbooks.flatMap((r) => [...r.diagnose, ...r.fix, ...r.verify].map((s) => s.capability)),
);
const lookup = (id: string) => (catalogue.has(id) ? { agent: id.split('.')[0]!, risk: 'read' as const } : undefined);
const planWith = (text: string) => (analysis: Analysis, runbooks: readonly Runbook[]) =>
  planTicket(analysis, text, runbooks, lookup);
const choice = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ runbook_id: 'service-unavailable', params: { service_name: 'shop' }, confidence: 0.9, ...over });

let stub: LlmStub;
beforeAll(async () => {
  stub = await startLlmStub();
});
afterAll(async () => {
  await stub.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

function analyst(timeoutMs = 2_000) {
  return {
    llm: new GuardedLlm(createOllamaClient({ baseUrl: stub.url, model: 'mistral' }), { timeoutMs }),
    minConfidence: 0.6,
    inputTokens: 500,
  };
}

async function plan(text: string, timeoutMs?: number) {
  const analysis = await analyzeTicket({ registry, known: () => known }, text, {});
  return planWithLlm(analyst(timeoutMs), analysis, text, builtinRunbooks, known, planWith(text));
}

describe('LLM planning (recorded Ollama answers on a local stub server)', () => {
  it('lists only catalogue ids and, per runbook, the known names it takes', () => {
    const options = runbookOptions(builtinRunbooks, known);
    expect(options.map((o) => o.id)).toEqual(builtinRunbooks.map((r) => r.id));
    expect(options.find((o) => o.id === 'service-unavailable')!.params).toEqual({
      service_name: ['shop', 'orders-db'],
    });
    expect(options.find((o) => o.id === 'disk-space')!.params).toEqual({});
  });

  it('plans the chosen runbook with the chosen service through the rules planner, sending the catalogue as the schema', async () => {
    stub.answers = [{ content: choice({ params: { service_name: 'orders-db' } }) }];
    const result = await plan('The shop website returns 502 errors since this morning.');
    expect(result).toMatchObject({ path: 'llm', runbookId: 'service-unavailable' });
    expect(result.fallbackReason).toBeUndefined();
    expect(result.steps.find((s) => s.phase === 'verify')!.params).toEqual({ service_name: 'orders-db' });
    const format = stub.requests.find((r) => r.path === '/api/chat')!.body.format;
    expect(format.properties.runbook_id.anyOf[0].enum).toEqual(builtinRunbooks.map((r) => r.id));
    expect(format.additionalProperties).toBe(false);
  });

  it('refuses an invented runbook id and plans with the rules', async () => {
    stub.answers = [{ content: choice({ runbook_id: 'wipe-disk' }) }];
    const result = await plan('The shop website returns 502 errors.');
    expect(result.path).toBe('rules');
    expect(result.fallbackReason).toBe('runbook "wipe-disk" is not in the catalogue');
    expect(result.runbookId).toBe('service-unavailable');
  });

  it('refuses a shell command smuggled into a parameter', async () => {
    stub.answers = [{ content: choice({ params: { service_name: 'shop; rm -rf /' } }) }];
    const result = await plan('The shop website returns 502 errors.');
    expect(result.path).toBe('rules');
    expect(result.fallbackReason).toBe('parameter service_name looks like a command');
    expect(JSON.stringify(result.steps)).not.toContain('rm -rf');
  });

  it('refuses a service name that is not in the configuration', async () => {
    stub.answers = [{ content: choice({ params: { service_name: 'billing' } }) }];
    const result = await plan('The shop website returns 502 errors.');
    expect(result.fallbackReason).toBe('parameter service_name of service-unavailable is not one of the known values');
    expect(JSON.stringify(result.steps)).not.toContain('billing');
  });

  it('refuses a parameter the runbook does not take, and extra fields', async () => {
    stub.answers = [{ content: choice({ runbook_id: 'disk-space', params: { service_name: 'shop' } }) }];
    expect((await plan('Disk full on the reporting server.')).fallbackReason).toBe(
      'runbook disk-space takes no parameter "service_name"',
    );
    stub.answers = [
      { content: choice({ steps: [{ capability: 'commander.execute_command', params: { command: 'reboot' } }] }) },
    ];
    const result = await plan('The shop website returns 502 errors.');
    expect(result.fallbackReason).toMatch(/does not fit the schema/);
    expect(JSON.stringify(result)).not.toContain('reboot');
  });

  it('falls back when the chosen runbook does not fit the ticket under the rules', async () => {
    stub.answers = [{ content: choice({ runbook_id: 'disk-space', params: {} }) }];
    const result = await plan('The shop website returns 502 errors.');
    expect(result.path).toBe('rules');
    expect(result.fallbackReason).toMatch(/^runbook disk-space does not fit this ticket/);
  });

  it('falls back when the model is unsure or chooses nothing', async () => {
    stub.answers = [{ content: choice({ confidence: 0.2 }) }];
    expect((await plan('The shop website returns 502 errors.')).fallbackReason).toBe('confidence 0.2 is below 0.6');
    stub.answers = [{ content: choice({ runbook_id: null, params: {} }) }];
    expect((await plan('The shop website returns 502 errors, please.')).fallbackReason).toBe(
      'the model chose no runbook',
    );
  });

  it('falls back to the rules on a slow answer past the timeout', async () => {
    stub.answers = [{ content: choice(), delayMs: 1_500 }];
    // The answer would be valid after 1.5 s: only our 300 ms timeout turns it into a fallback to the rules.
    const result = await plan('The shop website returns 502 errors again.', 300);
    expect(result).toMatchObject({
      path: 'rules',
      fallbackReason: 'no answer within 300 ms',
      runbookId: 'service-unavailable',
    });
  });
});
