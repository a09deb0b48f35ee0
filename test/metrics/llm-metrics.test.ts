// LLM and rollback counters on /metrics: a runtime whose model server is the recorded-answer stub answers one
// ticket's analysis validly and another's with broken JSON; /metrics counts the calls and the fallback, and
// the exposition with these series passes `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStub, type LlmStub } from '../helpers/llm-stub-server.ts';
import { promtool } from '../helpers/promtool.ts';
import { startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

let t: TestRuntime;
let stub: LlmStub;

const valid = JSON.stringify({
  category: 'database',
  priority: 'high',
  sentiment: 'negative',
  urgency: 'high',
  summary: 'The orders database refuses connections.',
  confidence: 0.9,
  injection_suspected: false,
});

function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function submit(description: string) {
  const { ticket } = (
    await t.app.inject({ method: 'POST', url: '/api/v1/tickets', payload: { description, dryRun: true } })
  ).json();
  return waitForTicket(t.app, ticket.id);
}

beforeAll(async () => {
  stub = await startLlmStub(['mistral:latest']);
  t = await startTestRuntime('pglite', { OLLAMA_BASE_URL: stub.url, OLLAMA_MODEL: 'mistral' });
});

afterAll(async () => {
  await t?.close();
  await stub?.close();
});

describe('LLM metrics', () => {
  it('counts a valid analysis as an ok call and a malformed answer as an invalid call with a fallback', async () => {
    // Analysis and planning both ask the model; the recorded answer is an analysis, so only the analysis counts are fixed.
    stub.answers = [{ content: valid }];
    expect((await submit('our app cannot connect to the orders database since 9am')).ticket.analysis?.path).toBe('llm');
    stub.answers = [{ content: '{"category": "database", ' }];
    const fallback = await submit('the orders database is refusing every connection this morning');
    expect(fallback.ticket.analysis?.path).toBe('rules');

    const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(sample(body, 'twisterlab_llm_calls_total{provider="ollama",purpose="analysis",outcome="ok"}')).toBe(1);
    expect(sample(body, 'twisterlab_llm_calls_total{provider="ollama",purpose="analysis",outcome="invalid"}')).toBe(1);
    expect(sample(body, 'twisterlab_llm_fallbacks_total{stage="analysis",reason="invalid"}')).toBe(1);
    expect(sample(body, 'twisterlab_llm_fallbacks_total{stage="analysis",reason="ok"}')).toBeUndefined();
    expect(sample(body, 'twisterlab_llm_call_duration_seconds_count{provider="ollama",purpose="analysis"}')).toBe(2);
    expect(sample(body, 'twisterlab_ticket_analyses_total{path="llm"}')).toBe(1);
    const { code, output } = await promtool(['check', 'metrics'], body);
    expect(output, output).not.toMatch(/twisterlab_(llm|rollbacks)/);
    expect(code, output).toBe(0);
  });
});
