// Runs one plan step durably: claims it as `running` under its idempotency key before the capability is called
// (steps that change something; reads are not claimed),
// keeps the ticket lease alive while it runs, and retries retryable errors with exponential backoff and jitter
// when running the step again is safe (read-only or idempotent capabilities).
import type { Risk } from './capability.ts';
import type { ErrorInfo } from './errors.ts';
import type { CapabilityRegistry, InvocationResult } from './registry.ts';
import { stepKey, type RunningStep, type TicketChange } from './ticket-repository.ts';
import type { PlannedStep, TicketStatus } from './ticket.ts';

export interface RetryPolicy {
  /** Retries after the first attempt, for retryable errors only. */
  retries: number;
  /** The first backoff; each further retry doubles it. Half of each delay is random (jitter). */
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseMs: 250 };
const MAX_BACKOFF_MS = 30_000;

/** The runner's writes go through the orchestrator, which adds its lease on the ticket to each. */
export interface StepWrites {
  commit(change: Omit<TicketChange, 'lease'>): Promise<void>;
  /** False when another process took the lease over: this one must stop. */
  renewLease(): Promise<boolean>;
}

export interface StepTarget {
  ticketId: string;
  executionId: string;
  /** The ticket's status now: a claim is written only while it still is. */
  status: TicketStatus;
}

export interface StepOutcome {
  result: InvocationResult;
  /** Calls of the capability for this step so far, counting those before an interruption. */
  attempts: number;
  durationMs: number;
}

export interface StepRunnerOptions {
  registry: CapabilityRegistry;
  retry: RetryPolicy;
  leaseMs: number;
  actor: string;
}

export class StepRunner {
  constructor(private readonly options: StepRunnerOptions) {}

  /** A step may run again with the same idempotency key when it only reads, or its capability says it is idempotent. */
  canRepeat(step: { capability: string; risk: Risk }): boolean {
    return step.risk === 'read' || this.options.registry.get(step.capability)?.idempotent === true;
  }

  /** Claims the step (or, with `retake`, its running row again), runs it with retries, and returns the last result. */
  async run(
    target: StepTarget,
    step: PlannedStep,
    params: Record<string, unknown>,
    writes: StepWrites,
    retake?: RunningStep,
  ): Promise<StepOutcome> {
    const { registry, actor } = this.options;
    const key = stepKey(target.executionId, step.index);
    const about = { executionId: target.executionId, index: step.index, capability: step.capability };
    if (retake) {
      await writes.commit({
        expectStatus: target.status,
        retakeStep: { executionId: target.executionId, index: step.index },
        audit: [
          {
            ticketId: target.ticketId,
            actor,
            action: 'step.rerun',
            details: { ...about, idempotencyKey: key, attempt: retake.attempts + 1 },
          },
        ],
      });
    } else if (step.risk !== 'read') {
      // A read has no effect to protect: it is not claimed, its result is written once (and a resumed run simply
      // reads again). A change is claimed first, so that after a crash nobody runs it blind a second time.
      await writes.commit({
        expectStatus: target.status,
        claimStep: {
          executionId: target.executionId,
          ticketId: target.ticketId,
          index: step.index,
          phase: step.phase,
          agent: step.agent,
          capability: step.capability,
          params,
          risk: step.risk,
          startedAt: new Date().toISOString(),
        },
        audit: [],
      });
    }
    const first = retake ? retake.attempts + 1 : 1;
    const lost = new AbortController();
    const heartbeat = setInterval(
      () => {
        writes.renewLease().then(
          (held) => {
            if (!held) lost.abort();
          },
          () => {
            /* the store is down: the next write says so */
          },
        );
      },
      Math.max(20, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref();
    const started = performance.now();
    try {
      for (let attempt = first; ; attempt += 1) {
        const result = await registry.invoke(step.capability, params, {
          actor,
          ticketId: target.ticketId,
          idempotencyKey: key,
          signal: lost.signal,
        });
        if (result.ok || lost.signal.aborted || !this.mayRetry(step, result.error, attempt - first)) {
          return { result, attempts: attempt, durationMs: performance.now() - started };
        }
        const delayMs = backoffMs(this.options.retry.baseMs, attempt - first + 1);
        await writes.commit({
          audit: [
            {
              ticketId: target.ticketId,
              actor,
              action: 'step.retrying',
              details: { ...about, attempt, error: result.error.code, delayMs },
            },
          ],
        });
        await sleep(delayMs, lost.signal);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private mayRetry(step: PlannedStep, error: ErrorInfo, retriesDone: number): boolean {
    return error.retryable && retriesDone < this.options.retry.retries && this.canRepeat(step);
  }
}

/** Exponential backoff with equal jitter: half of base·2^(n-1), plus up to as much again at random. */
export function backoffMs(baseMs: number, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
