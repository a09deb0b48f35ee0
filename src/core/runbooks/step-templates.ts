// Filling `{{steps.<id>.<path>}}` when a step runs: the outputs of this execution's earlier steps, by the id the
// runbook gave them. A template naming an output that is not there fails the step (TEMPLATE_UNRESOLVED).
import { describeCondition, evaluateCondition } from '../conditions.ts';
import type { StepRecord } from '../ticket-repository.ts';
import type { PlannedStep } from '../ticket.ts';
import { hasRuntimeTemplates, RUNTIME_ROOT, tryFill, type Scope } from './template.ts';

/**
 * `{ steps: { <ref>: output } }` from the records of steps that succeeded (the latest record per step wins), over
 * `bound`: the diagnosis outputs a remedy plan was made from.
 */
export function stepOutputs(planned: readonly PlannedStep[], records: readonly StepRecord[], bound: Record<string, unknown> = {}): Scope {
  const refByIndex = new Map(planned.filter((s) => s.ref).map((s) => [s.index, s.ref!]));
  const outputs: Record<string, unknown> = { ...bound };
  for (const record of records) {
    const ref = refByIndex.get(record.index);
    if (ref && record.status === 'succeeded') outputs[ref] = record.output;
  }
  return { [RUNTIME_ROOT]: outputs };
}

/** Why a step with a `when` does not run now, or undefined when it runs. */
export function skipReason(step: PlannedStep, scope: Scope): string | undefined {
  if (!step.when) return undefined;
  const outcome = evaluateCondition(scope, step.when);
  return outcome.held ? undefined : `skipped: ${describeCondition(outcome)} does not hold`;
}

export function resolveStepParams<T>(value: T, scope: Scope): { ok: true; value: T } | { ok: false; reason: string } {
  if (!hasRuntimeTemplates(value)) return { ok: true, value };
  const filled = tryFill(value, scope);
  return filled.ok ? filled : { ok: false, reason: `${filled.reason} (no earlier step produced it)` };
}
