// Test-only capabilities that count their effects in a shared "world" (what happened outside the process), a
// store that can be "killed" (every call fails from then on, as if the process had died), and orchestrators
// built on a real store with a runbook of the test's choosing. The world starts broken: its check reports the
// fault until a fix capability has succeeded, so diagnosis confirms a finding and verification sees it gone.
import { z } from 'zod';
import { createInProcessEventBus } from '../../src/adapters/events/in-process-event-bus.ts';
import { defineAgent, defineCapability } from '../../src/core/capability.ts';
import { TwisterError, type ErrorCode } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Orchestrator, type OrchestratorDeps } from '../../src/core/orchestrator.ts';
import { CapabilityRegistry } from '../../src/core/registry.ts';
import type { Runbook, RunbookStep } from '../../src/core/runbooks/runbook.ts';
import type { TicketChange, TicketRepository } from '../../src/core/ticket-repository.ts';
import { CATEGORIES } from '../../src/core/ticket.ts';

export interface World {
  /** Every call of a counting capability, in order: its step name and idempotency key. */
  effects: Array<{ name: string; key: string | undefined }>;
  /** Run when the named step starts (after it counted its effect). */
  hooks: Map<string, () => Promise<void> | void>;
  /** Errors the named step throws before it succeeds: one code per call, in order. */
  failures: Map<string, ErrorCode[]>;
  /** What the check reports until a fix capability succeeded. */
  broken: boolean;
}

export function newWorld(): World {
  return { effects: [], hooks: new Map(), failures: new Map(), broken: true };
}

export const countOf = (world: World, name: string) => world.effects.filter((e) => e.name === name).length;

const touchInput = z.strictObject({ name: z.string(), note: z.unknown().optional() });
const touchOutput = z.object({ name: z.string(), count: z.number() });

function touch(world: World, id: string, idempotent: boolean) {
  return defineCapability({
    id,
    description: `Test only: counts a ${idempotent ? 'repeatable' : 'one-off'} effect`,
    risk: 'change',
    idempotent,
    input: touchInput,
    output: touchOutput,
    run: async (input, ctx) => {
      world.effects.push({ name: input.name, key: ctx.idempotencyKey });
      await world.hooks.get(input.name)?.();
      const code = world.failures.get(input.name)?.shift();
      if (code) throw new TwisterError(code, `${input.name} failed on purpose with ${code}`);
      world.broken = false;
      return { name: input.name, count: countOf(world, input.name) };
    },
  });
}

export function createDurableTestAgent(world: World) {
  const check = defineCapability({
    id: 'testdur.check',
    description: 'Test only: a read that fails on request',
    risk: 'read',
    input: z.strictObject({ name: z.string() }),
    output: z.object({ healthy: z.boolean(), broken: z.boolean() }),
    run: async (input, ctx) => {
      world.effects.push({ name: input.name, key: ctx.idempotencyKey });
      await world.hooks.get(input.name)?.();
      const code = world.failures.get(input.name)?.shift();
      if (code) throw new TwisterError(code, `${input.name} failed on purpose with ${code}`);
      return { healthy: !world.broken, broken: world.broken };
    },
  });
  const wipe = defineCapability({
    id: 'testdur.wipe',
    description: 'Test only: a destructive effect',
    risk: 'destructive',
    input: touchInput,
    output: touchOutput,
    run: async (input) => {
      world.effects.push({ name: input.name, key: undefined });
      world.broken = false;
      return { name: input.name, count: countOf(world, input.name) };
    },
  });
  return defineAgent({
    id: 'testdur',
    description: 'Test-only effects',
    deps: {},
    capabilities: [check, touch(world, 'testdur.touch', false), touch(world, 'testdur.touch_idempotent', true), wipe],
  });
}

export const step = (capability: string, name: string, extra: Partial<RunbookStep> = {}): RunbookStep => ({
  id: name,
  capability,
  params: { name },
  description: `step ${name}`,
  withoutBackup: 'a test effect',
  ...extra,
});

export const FINDING = 'testdur.broken';

/**
 * A check (a read, step `check`) whose output confirms FINDING while the world is broken, more diagnose steps
 * if given, the fix steps given (each addressing FINDING), and a verification making the very same call as the
 * check, so the finding's re-check rides on it: `check`, the fixes, `check` again.
 */
export function durableRunbook(fix: RunbookStep[], moreDiagnose: RunbookStep[] = []): Runbook {
  return {
    id: 'test-durable',
    title: 'Durable steps (test)',
    categories: [...CATEGORIES],
    keywords: ['durable'],
    diagnose: [step('testdur.check', 'check'), ...moreDiagnose],
    findings: [{ id: FINDING, step: 'check', when: [{ path: 'broken', op: 'eq', value: true }] }],
    fix: fix.map((s) => ({ addresses: FINDING, ...s })),
    verify: [step('testdur.check', 'check', { id: 'verify', expect: [{ path: 'healthy', op: 'eq', value: true }] })],
  };
}

export function createOrchestrator(
  store: TicketRepository,
  world: World,
  runbook: Runbook,
  deps: Partial<OrchestratorDeps> = {},
): Orchestrator {
  const registry = new CapabilityRegistry({ logger: silentLogger, defaultTimeoutMs: 10_000 });
  registry.register(createDurableTestAgent(world));
  return new Orchestrator({
    store,
    registry,
    events: createInProcessEventBus(silentLogger),
    logger: silentLogger,
    runbooks: () => [runbook],
    known: () => ({ devices: [], services: [] }),
    leaseMs: 400,
    retry: { retries: 2, baseMs: 5 },
    storeWaitMs: 0,
    ...deps,
  });
}

/**
 * A store that dies like its process would: after `kill()`, or after a write matching `killAfter`, every call
 * fails. What was written before stays, exactly as a `kill -9` would leave it.
 */
export function killableStore(inner: TicketRepository): {
  store: TicketRepository;
  kill(): void;
  killAfter(match: (change: TicketChange) => boolean): void;
} {
  let dead = false;
  let after: ((change: TicketChange) => boolean) | undefined;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (dead) throw new Error('the process was killed');
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop === 'apply' && after?.(args[1] as TicketChange)) dead = true;
        return result;
      };
    },
  });
  return {
    store,
    kill: () => {
      dead = true;
    },
    killAfter: (match) => {
      after = match;
    },
  };
}

export const newTicket = (description = 'durable test: please fix the widget on this server') => ({
  description,
  requester: 'alice',
  source: 'api' as const,
  dryRun: false,
  context: {},
});
