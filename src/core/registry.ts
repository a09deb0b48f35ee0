// The registry is the only caller of a capability's run: it validates input, enforces the timeout,
// validates output, and turns every thrown error into a failed result with a stable code.
import { z } from 'zod';
import { riskRank, type Agent, type Capability, type Risk } from './capability.ts';
import type { CapabilityContract } from './capability-contracts.ts';
import { TwisterError, toErrorInfo, type ErrorInfo } from './errors.ts';
import type { Logger } from './logger.ts';
import { parseOrThrow } from './validation.ts';

export type InvocationResult<O = unknown> =
  { ok: true; output: O; durationMs: number } | { ok: false; error: ErrorInfo; durationMs: number };

export interface InvokeOptions {
  actor: string;
  ticketId?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Passed to the capability as `ctx.idempotencyKey`. */
  idempotencyKey?: string;
}

export interface CapabilityDescriptor {
  id: string;
  agent: string;
  description: string;
  risk: Risk;
  /** Declared idempotent, or read-only: safe to run again after a crash or a retryable error. */
  idempotent: boolean;
  timeoutMs: number;
  inputSchema: unknown;
  outputSchema: unknown;
}

export interface InvocationEvent {
  capability: string;
  actor: string;
  ticketId?: string;
  result: InvocationResult;
}

interface Entry {
  agent: Agent;
  capability: Capability;
  descriptor: CapabilityDescriptor;
}

export interface RegistryOptions {
  logger: Logger;
  defaultTimeoutMs?: number;
}

export class CapabilityRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly agents = new Map<string, Agent>();
  private readonly listeners: Array<(event: InvocationEvent) => void> = [];
  private readonly logger: Logger;
  private readonly defaultTimeoutMs: number;

  constructor(options: RegistryOptions) {
    this.logger = options.logger;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each agent has its own deps type
  register(agent: Agent<any>): void {
    if (this.agents.has(agent.id)) throw new Error(`agent ${agent.id} is already registered`);
    for (const capability of agent.capabilities) {
      if (this.entries.has(capability.id)) throw new Error(`capability ${capability.id} is already registered`);
    }
    this.agents.set(agent.id, agent);
    for (const capability of agent.capabilities) {
      this.entries.set(capability.id, {
        agent,
        capability: capability as Capability,
        descriptor: describeCapability(agent.id, capability as Capability, this.defaultTimeoutMs),
      });
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): CapabilityDescriptor | undefined {
    return this.entries.get(id)?.descriptor;
  }

  list(): CapabilityDescriptor[] {
    return [...this.entries.values()].map((e) => e.descriptor);
  }

  listAgents(): Array<{ id: string; description: string; capabilities: CapabilityDescriptor[] }> {
    return [...this.agents.values()].map((agent) => ({
      id: agent.id,
      description: agent.description,
      capabilities: agent.capabilities.map((c) => this.entries.get(c.id)!.descriptor),
    }));
  }

  /** The risk of one call: the capability's own assessment for this input, never above its declared risk. */
  riskOf(id: string, input: unknown): Risk | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    const { capability, agent } = entry;
    if (!capability.assessRisk) return capability.risk;
    const parsed = capability.input.safeParse(input);
    if (!parsed.success) return capability.risk;
    try {
      const assessed = capability.assessRisk(parsed.data, agent.deps);
      return riskRank(assessed) <= riskRank(capability.risk) ? assessed : capability.risk;
    } catch {
      return capability.risk;
    }
  }

  onInvocation(listener: (event: InvocationEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * A capability core relies on, by its typed contract. The output type holds: `fulfils` checked the agent's output
   * schema against the contract at compile time, and `invoke` validated this output against that schema.
   */
  async call<I, O>(contract: CapabilityContract<I, O>, input: I, options: InvokeOptions): Promise<InvocationResult<O>> {
    return (await this.invoke(contract.id, input, options)) as InvocationResult<O>;
  }

  async invoke(id: string, input: unknown, options: InvokeOptions): Promise<InvocationResult> {
    const started = performance.now();
    const entry = this.entries.get(id);
    let result: InvocationResult;
    if (!entry) {
      result = {
        ok: false,
        error: toErrorInfo(new TwisterError('CAPABILITY_NOT_FOUND', `no capability named ${id}`)),
        durationMs: 0,
      };
    } else {
      try {
        const output = await this.run(entry, input, options);
        result = { ok: true, output, durationMs: performance.now() - started };
      } catch (error) {
        const info = toErrorInfo(error);
        if (info.code === 'CAPABILITY_FAILED' || info.code === 'OUTPUT_INVALID') {
          this.logger.error({ err: error, capability: id }, 'capability failed');
        }
        result = { ok: false, error: info, durationMs: performance.now() - started };
      }
    }
    const event: InvocationEvent = {
      capability: id,
      actor: options.actor,
      result,
      ...(options.ticketId ? { ticketId: options.ticketId } : {}),
    };
    for (const listener of this.listeners) listener(event);
    return result;
  }

  private async run(entry: Entry, rawInput: unknown, options: InvokeOptions): Promise<unknown> {
    const { capability, agent } = entry;
    const input = parseOrThrow(capability.input, rawInput, `input for ${capability.id}`);
    const timeoutMs = options.timeoutMs ?? capability.timeoutMs ?? this.defaultTimeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TwisterError('CAPABILITY_TIMEOUT', `${capability.id} did not finish within ${timeoutMs} ms`, {
          timeoutMs,
        });
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      if (options.signal) {
        onAbort = () => {
          const error = new TwisterError('CAPABILITY_ABORTED', `${capability.id} was cancelled`);
          controller.abort(error);
          reject(error);
        };
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    const ctx = {
      signal: controller.signal,
      logger: this.logger.child({
        capability: capability.id,
        ...(options.ticketId ? { ticketId: options.ticketId } : {}),
      }),
      deps: agent.deps,
      actor: options.actor,
      ...(options.ticketId ? { ticketId: options.ticketId } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    };
    try {
      const raw = await Promise.race([capability.run(input, ctx), stop]);
      const parsed = capability.output.safeParse(raw);
      if (!parsed.success) {
        throw new TwisterError('OUTPUT_INVALID', `${capability.id} returned invalid output`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        });
      }
      return parsed.data;
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** What a capability looks like from outside (the API, MCP): its schemas as JSON Schema. */
export function describeCapability(
  agentId: string,
  capability: Capability,
  defaultTimeoutMs: number,
): CapabilityDescriptor {
  return {
    id: capability.id,
    agent: agentId,
    description: capability.description,
    risk: capability.risk,
    idempotent: capability.idempotent ?? capability.risk === 'read',
    timeoutMs: capability.timeoutMs ?? defaultTimeoutMs,
    inputSchema: z.toJSONSchema(capability.input, { io: 'input', unrepresentable: 'any' }),
    outputSchema: z.toJSONSchema(capability.output, { io: 'output', unrepresentable: 'any' }),
  };
}
