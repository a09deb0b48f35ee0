// Wraps an LLM client with what a flaky dependency needs: a per-request timeout, a circuit breaker that
// stops calling a failing server for a while, a cached health answer, and a cache of answers by content hash
// (in this process, or shared by every worker on Redis).
import { createHash } from 'node:crypto';
import type { LlmClient, LlmRequest } from './llm.ts';

export interface LlmGuardOptions {
  timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before one trial call is let through. */
  openMs?: number;
  healthTtlMs?: number;
  /** Answers by the sha256 of client, model and request; default: the last 500 in this process. */
  cache?: AnswerCache;
  now?: () => number;
}

/** A cache of model answers. Best effort: a lookup that fails is a miss, a store that fails is forgotten. */
export interface AnswerCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, text: string): Promise<void>;
}

/** The last `size` answers, in this process. */
export function memoryAnswerCache(size = 500): AnswerCache {
  const entries = new Map<string, string>();
  return {
    get: async (key) => entries.get(key),
    async set(key, text) {
      if (entries.size >= size) entries.delete(entries.keys().next().value!);
      entries.set(key, text);
    },
  };
}

export type LlmFailureKind = 'timeout' | 'error' | 'circuit_open';
export type LlmCallResult =
  { ok: true; text: string; cached: boolean } | { ok: false; reason: string; kind: LlmFailureKind };

/**
 * closed: calls go through; open: refused until `openMs` has passed; then half-open: exactly one trial call goes
 * through while the others are refused, and its result closes the circuit or opens it again at once.
 */
type CircuitState = 'closed' | 'open' | 'half_open';

export class GuardedLlm {
  private failures = 0;
  private state: CircuitState = 'closed';
  private openUntil = 0;
  private trialInFlight = false;
  private health: { ok: boolean; at: number } | undefined;
  private readonly cache: AnswerCache;
  private readonly now: () => number;

  constructor(
    readonly client: LlmClient,
    private readonly options: LlmGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.cache = options.cache ?? memoryAnswerCache();
  }

  /** True while a call would be refused: open and not yet due for a trial, or a trial call still in flight. */
  get circuitOpen(): boolean {
    if (this.state === 'open') return this.now() < this.openUntil;
    return this.state === 'half_open' && this.trialInFlight;
  }

  /** Whether this call may go to the server; in half-open, only the first caller gets the trial. */
  private admit(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() < this.openUntil) return false;
      this.state = 'half_open';
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** The server's health, asked at most once per TTL; an open circuit counts as unhealthy. */
  async healthy(): Promise<boolean> {
    if (this.circuitOpen) return false;
    const ttl = this.options.healthTtlMs ?? 30_000;
    if (this.health && this.now() - this.health.at < ttl) return this.health.ok;
    const ok = await this.client.health(AbortSignal.timeout(this.options.timeoutMs)).catch(() => false);
    this.health = { ok, at: this.now() };
    return ok;
  }

  async complete(request: Omit<LlmRequest, 'signal'>, signal?: AbortSignal): Promise<LlmCallResult> {
    const key = createHash('sha256')
      .update(JSON.stringify([this.client.name, this.client.model, request]))
      .digest('hex');
    const hit = await this.cache.get(key).catch(() => undefined);
    if (hit !== undefined) return { ok: true, text: hit, cached: true };
    if (!this.admit()) return { ok: false, reason: 'circuit open after repeated failures', kind: 'circuit_open' };
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const text = await this.client.complete({
        ...request,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      this.recordSuccess();
      await this.cache.set(key, text).catch(() => undefined);
      return { ok: true, text, cached: false };
    } catch (error) {
      // A caller that gave up says nothing about the server: neither a failure nor a success.
      if (signal?.aborted && !timeout.aborted) this.releaseTrial();
      else this.recordFailure();
      if (timeout.aborted)
        return { ok: false, reason: `no answer within ${this.options.timeoutMs} ms`, kind: 'timeout' };
      return { ok: false, reason: `request failed: ${(error as Error).message.slice(0, 120)}`, kind: 'error' };
    }
  }

  private recordSuccess(): void {
    this.failures = 0;
    this.state = 'closed';
    this.trialInFlight = false;
  }

  private releaseTrial(): void {
    this.trialInFlight = false;
  }

  private recordFailure(): void {
    this.failures += 1;
    // A failed trial opens the circuit again at once; when closed, only a run of failures does.
    if (this.state === 'half_open' || this.failures >= (this.options.failureThreshold ?? 3)) {
      this.state = 'open';
      this.openUntil = this.now() + (this.options.openMs ?? 60_000);
      this.failures = 0;
      this.trialInFlight = false;
      this.health = undefined;
    }
  }
}
