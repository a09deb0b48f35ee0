// What the LLM path reports to whoever counts it (metrics): each call's outcome and duration, and each fallback
// to the rules with a bounded reason. Core stays free of any metrics library; the runtime wires the observer.
import type { GuardedLlm, LlmFailureKind } from './llm-guard.ts';

export type LlmPurpose = 'analysis' | 'planning';
export type LlmCallOutcome = 'ok' | 'invalid' | 'timeout' | 'error' | 'circuit_open' | 'low_confidence';
export type LlmFallbackReason = LlmCallOutcome | 'unhealthy' | 'no_runbook' | 'unfit_runbook';

export interface LlmCallEvent {
  provider: string;
  purpose: LlmPurpose;
  outcome: LlmCallOutcome;
  seconds: number;
}
export interface LlmFallbackEvent {
  stage: LlmPurpose;
  reason: LlmFallbackReason;
}

export interface LlmObserver {
  onCall(event: LlmCallEvent): void;
  onFallback(event: LlmFallbackEvent): void;
}

/** One attempt on the LLM path: reports the call once it is decided and any fallback, and hands results through. */
export function watchLlm(analyst: { llm: GuardedLlm; observer?: LlmObserver | undefined }, purpose: LlmPurpose) {
  const started = Date.now();
  const call = (outcome: LlmCallOutcome) =>
    analyst.observer?.onCall({
      provider: analyst.llm.client.name,
      purpose,
      outcome,
      seconds: (Date.now() - started) / 1000,
    });
  const fallback = (reason: LlmFallbackReason) => analyst.observer?.onFallback({ stage: purpose, reason });
  return {
    call,
    fallback,
    /** The server is not asked: an open circuit still counts as a (refused) call. */
    unhealthy(): { ok: false; reason: string } {
      const open = analyst.llm.circuitOpen;
      if (open) call('circuit_open');
      fallback(open ? 'circuit_open' : 'unhealthy');
      return { ok: false, reason: open ? 'circuit open after repeated failures' : 'the model server is not healthy' };
    },
    failed(answer: { reason: string; kind: LlmFailureKind }): { ok: false; reason: string } {
      call(answer.kind);
      fallback(answer.kind);
      return { ok: false, reason: answer.reason };
    },
    /** A call the model answered; a failed result is a fallback under the same outcome. */
    answered<T extends { ok: boolean }>(outcome: LlmCallOutcome, result: T): T {
      call(outcome);
      if (!result.ok) fallback(outcome);
      return result;
    },
  };
}
