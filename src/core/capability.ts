// The agent contract: a capability is one plain data object (zod input and output, a risk, an async run);
// an agent groups capabilities and carries the dependencies they receive as ctx.deps.
import type { z } from 'zod';
import type { Logger } from './logger.ts';

export const RISKS = ['read', 'change', 'destructive'] as const;
export type Risk = (typeof RISKS)[number];

export function riskRank(risk: Risk): number {
  return RISKS.indexOf(risk);
}

export interface CapabilityContext<D> {
  /** Aborted on timeout or when the caller gives up: pass it to every I/O call. */
  signal: AbortSignal;
  logger: Logger;
  deps: D;
  /** The ticket this call works for, when there is one (for audit rows). */
  ticketId?: string;
  /** Who asked: an API key name, `orchestrator`, `cli`. */
  actor: string;
  /**
   * For a plan step, `executionId:index`: the same on every attempt of the step (a retry, a re-run after a crash),
   * so a capability can recognise an effect it already had.
   */
  idempotencyKey?: string;
}

export interface Capability<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType, D = unknown> {
  /** `<agent>.<verb>`; also the MCP tool name. */
  id: string;
  description: string;
  risk: Risk;
  input: I;
  output: O;
  /** Overrides the registry's default timeout. */
  timeoutMs?: number;
  /**
   * Running it twice with the same input (and `ctx.idempotencyKey`) has the effect of running it once, so a step cut
   * off by a crash, or failed with a retryable error, may run again. `read` capabilities count as idempotent.
   */
  idempotent?: boolean;
  run: (input: z.output<I>, ctx: CapabilityContext<D>) => Promise<z.input<O>>;
  /**
   * The risk of one call, when it depends on the input (a command allowed by a read-only rule is `read`).
   * Never above `risk`, which stays the ceiling; the registry clamps it.
   */
  assessRisk?: (input: z.output<I>, deps: D) => Risk;
}

export interface Agent<D = unknown> {
  id: string;
  description: string;
  deps: D;
  // Each capability is typed against the agent's deps; the registry erases the rest.
  capabilities: ReadonlyArray<Capability<z.ZodType, z.ZodType, D>>;
}

/** Only gives types: the capability is the object you pass. */
export function defineCapability<I extends z.ZodType, O extends z.ZodType, D = unknown>(
  capability: Capability<I, O, D>,
): Capability<I, O, D> {
  return capability;
}

export function defineAgent<D>(agent: {
  id: string;
  description: string;
  deps: D;
  // `any` here lets capabilities with different input/output schemas sit in one list.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  capabilities: ReadonlyArray<Capability<any, any, D>>;
}): Agent<D> {
  for (const capability of agent.capabilities) {
    if (!capability.id.startsWith(`${agent.id}.`)) {
      throw new Error(`capability ${capability.id} must be named ${agent.id}.<verb>`);
    }
  }
  return agent as Agent<D>;
}
