import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineAgent, defineCapability } from './capability.ts';
import { silentLogger } from './logger.ts';
import { CapabilityRegistry } from './registry.ts';
import { StepRunner, type StepWrites } from './step-runner.ts';
import type { TicketChange } from './ticket-repository.ts';
import type { PlannedStep } from './ticket.ts';

function runnerWith(calls: string[]) {
  const registry = new CapabilityRegistry({ logger: silentLogger, defaultTimeoutMs: 1000 });
  const capability = (id: string, risk: 'read' | 'change') =>
    defineCapability({
      id,
      description: id,
      risk,
      input: z.object({}),
      output: z.object({ ok: z.boolean() }),
      run: async () => {
        calls.push(id);
        return { ok: true };
      },
    });
  registry.register(
    defineAgent({
      id: 'unit',
      description: 'unit',
      deps: {},
      capabilities: [capability('unit.look', 'read'), capability('unit.touch', 'change')],
    }),
  );
  return new StepRunner({ registry, retry: { retries: 0, baseMs: 1 }, leaseMs: 10_000, actor: 'test' });
}

const step = (capability: string, risk: 'read' | 'change'): PlannedStep => ({
  index: 0,
  phase: risk === 'read' ? 'diagnose' : 'fix',
  capability,
  agent: 'unit',
  params: {},
  risk,
  description: capability,
  decision: 'run',
  decisionReason: '',
});

describe('StepRunner', () => {
  it('claims a change before calling it, and calls a read without a claim write', async () => {
    const calls: string[] = [];
    const commits: Array<Omit<TicketChange, 'lease'>> = [];
    const writes: StepWrites = {
      commit: async (c) => {
        commits.push(c);
        calls.push(c.claimStep ? 'claim' : 'commit');
      },
      renewLease: async () => true,
    };
    const runner = runnerWith(calls);
    const target = { ticketId: 't', executionId: '00000000-0000-0000-0000-000000000001', status: 'executing' as const };
    expect((await runner.run(target, step('unit.look', 'read'), {}, writes)).result.ok).toBe(true);
    expect(calls).toEqual(['unit.look']);
    expect((await runner.run(target, step('unit.touch', 'change'), {}, writes)).result.ok).toBe(true);
    expect(calls).toEqual(['unit.look', 'claim', 'unit.touch']);
    expect(commits[0]!.claimStep).toMatchObject({ capability: 'unit.touch', index: 0 });
  });
});
