// Wraps an LLM client with what a flaky dependency needs: a per-request timeout, a circuit breaker that
// stops calling a failing server for a while, a cached health answer, and a cache of answers by content hash.
import { createHash } from 'node:crypto';
import type { LlmClient, LlmRequest } from './llm.ts';

export interface LlmGuardOptions {
  timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before one trial call is let through. */
  openMs?: number;
  healthTtlMs?: number;
  cacheSize?: number;
  now?: () => number;
}

export type LlmFailureKind = 'timeout' | 'error' | 'circuit_open';
export type LlmCallResult = { ok: true; text: string; cached: boolean } | { ok: false; reason: string; kind: LlmFailureKind };

export class GuardedLlm {
  private failures = 0;
  private openUntil = 0;
  private health: { ok: boolean; at: number } | undefined;
  private readonly cache = new Map<string, string>();
  private readonly now: () => number;

  constructor(readonly client: LlmClient, private readonly options: LlmGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  get circuitOpen(): boolean {
    return this.now() < this.openUntil;
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
    const key = createHash('sha256').update(JSON.stringify([this.client.name, this.client.model, request])).digest('hex');
    const hit = this.cache.get(key);
    if (hit !== undefined) return { ok: true, text: hit, cached: true };
    if (this.circuitOpen) return { ok: false, reason: 'circuit open after repeated failures', kind: 'circuit_open' };
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const text = await this.client.complete({ ...request, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      this.failures = 0;
      this.remember(key, text);
      return { ok: true, text, cached: false };
    } catch (error) {
      this.recordFailure();
      if (timeout.aborted) return { ok: false, reason: `no answer within ${this.options.timeoutMs} ms`, kind: 'timeout' };
      return { ok: false, reason: `request failed: ${(error as Error).message.slice(0, 120)}`, kind: 'error' };
    }
  }

  private recordFailure(): void {
    this.failures += 1;
    if (this.failures >= (this.options.failureThreshold ?? 3)) {
      this.openUntil = this.now() + (this.options.openMs ?? 60_000);
      this.failures = 0;
      this.health = undefined;
    }
  }

  private remember(key: string, text: string): void {
    const size = this.options.cacheSize ?? 500;
    if (this.cache.size >= size) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, text);
  }
}
