import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../adapters/runbooks/runbook-files.ts';
import { createClassifierAgent } from '../../agents/classifier/classifier-agent.ts';
import { createSentimentAgent } from '../../agents/sentiment/sentiment-agent.ts';
import { silentLogger } from '../logger.ts';
import { CapabilityRegistry } from '../registry.ts';
import { analyzeTicket } from '../ticket-analyzer.ts';
import { planDiagnosis } from './plan-diagnosis.ts';

const registry = new CapabilityRegistry({ logger: silentLogger });
registry.register(createClassifierAgent());
registry.register(createSentimentAgent());
const runbooks = loadCatalogue(undefined);
const lookup = (id: string) => ({ agent: id.split('.')[0]!, risk: 'read' as const });

// A fresh install: nothing declared but this host.
async function decide(text: string, services: string[] = []) {
  const analysis = await analyzeTicket({ registry, known: () => ({ devices: ['local'], services }) }, text, {});
  return planDiagnosis(analysis, text, runbooks, lookup, {});
}

describe('planDiagnosis: only our estate is checked', () => {
  it.each([
    'Everything is very slow since this morning and the reports time out',
    'The system crashed again during the import, please fix it',
    'Our smart TV freezes whenever the app starts',
    'My game console overheats and shuts down after an hour',
    'The printer at 192.168.1.40 is very slow to print',
  ])('hands %j to a person and plans no check of this host or of anything', async (text) => {
    const decided = await decide(text);
    expect(decided.plan.steps).toHaveLength(0);
    expect(decided.handover).toBeDefined();
    expect(decided.plan.title).toBe('Handed to a person');
  });

  it.each([
    'Our production servers are very slow and the load is high',
    'localhost is sluggish and memory is almost gone',
    'This server is very slow and the cpu is at 100%',
  ])('diagnoses this host for %j, which names it or our servers', async (text) => {
    const decided = await decide(text);
    expect(decided.handover).toBeUndefined();
    expect(decided.target).toBe('local');
    expect(decided.plan.steps.length).toBeGreaterThan(0);
  });

  it("diagnoses a declared service named from the requester's own laptop, on that service", async () => {
    const decided = await decide('From my laptop the inventory site answers with 502 errors', ['inventory']);
    expect(decided.handover).toBeUndefined();
    expect(decided.target).toBe('inventory');
  });
});
