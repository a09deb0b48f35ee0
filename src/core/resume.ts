// What a ticket found in `executing` or `verifying` (its process crashed, was killed or lost the store) resumes
// from: finished steps are replayed from the store, so their outputs feed later decisions and templates, and the
// plan goes on from the first unfinished step. A step cut off mid-way runs again only when that is safe.
import type { ExecutionProgress, RunningStep, StepRecord } from './ticket-repository.ts';
import type { TicketStatus } from './ticket.ts';

export type ResumePlan =
  /** Another process holds a live lease: it is working on the ticket now. */
  | { kind: 'busy'; holder: string }
  /** Nothing stored to resume from. */
  | { kind: 'lost'; reason: string }
  /** A step was running and may not run twice: a human decides. */
  | { kind: 'interrupted'; step: RunningStep; reason: string }
  | { kind: 'continue'; replay: Map<number, StepRecord>; retake?: RunningStep };

export function planResume(
  progress: ExecutionProgress | null,
  status: TicketStatus,
  self: string,
  canRepeat: (step: RunningStep) => boolean,
): ResumePlan {
  if (!progress)
    return {
      kind: 'lost',
      reason: `interrupted while ${status} with no stored plan to resume; a human should check what ran`,
    };
  const { lease } = progress;
  if (lease.live && lease.owner !== null && lease.owner !== self) return { kind: 'busy', holder: lease.owner };
  const replay = new Map(progress.steps.map((s) => [s.index, s]));
  // A run is sequential: at most one step is claimed without a result.
  const running = progress.running[0];
  if (!running) return { kind: 'continue', replay };
  if (canRepeat(running)) return { kind: 'continue', replay, retake: running };
  return {
    kind: 'interrupted',
    step: running,
    reason: `interrupted while ${status}, mid-step: step ${running.index} (${running.capability}) may have had effects, so it was not run again; a human should check it`,
  };
}

/** The stored result of a step that was cut off and will not run again. */
export function interruptedRecord(step: RunningStep, reason: string, now = new Date()): StepRecord {
  const { idempotencyKey: _key, attempts, ...claim } = step;
  return {
    ...claim,
    status: 'failed',
    output: null,
    attempts,
    error: { code: 'STEP_INTERRUPTED', message: reason, retryable: false },
    finishedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - Date.parse(step.startedAt)),
  };
}
