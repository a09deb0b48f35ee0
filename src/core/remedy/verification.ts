// Verification of a remedy, as plain data: whether a finding's rule still holds of a fresh run of the check that
// confirmed it, and how each finding ended (fixed when re-checked gone, else it remains).
import { isFault } from '../diagnosis/read-diagnosis.ts';
import { findingKind } from '../findings/catalogue.ts';
import { judgeRule, rulesFor } from '../findings/confirm.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { StepRecord } from '../ticket-repository.ts';
import type { Finding, Plan, PlannedStep } from '../ticket.ts';

type Recheck = NonNullable<PlannedStep['rechecks']>[number];

export function judgeRecheck(
  runbooks: readonly Runbook[],
  recheck: Recheck,
  record: StepRecord,
): { gone: boolean; text: string } {
  const title = findingKind(recheck.findingId).title;
  if (record.error)
    return {
      gone: false,
      text: `${title} (${recheck.target}): could not be checked again: ${record.error.code} ${record.error.message}`,
    };
  const runbook = runbooks.find((r) => r.id === recheck.runbookId);
  const held = (runbook ? rulesFor(runbook, recheck.findingId) : [])
    .map((rule) => judgeRule(rule, record.output))
    .find((v) => v.held);
  return held
    ? { gone: false, text: `${title} (${recheck.target}) is still there: ${held.reading}` }
    : { gone: true, text: `${title} (${recheck.target}): gone` };
}

/**
 * The findings of a remedy as verification left them: each fault rechecked gone is fixed, or it remains; an
 * observation a fix addressed (a configuration put back) is fixed when every check passed.
 */
export function findingsAfter(
  plan: Plan,
  steps: readonly StepRecord[],
  remains: ReadonlySet<string>,
  allPassed = false,
): Finding[] {
  const rechecked = new Set(plan.steps.flatMap((s) => s.rechecks ?? []).map((r) => r.findingId));
  const verified = steps.some((s) => s.phase === 'verify');
  const addressed = new Set(addressedFindings(plan, steps));
  return (plan.findings ?? []).map((f) => {
    if (!isFault(f)) return allPassed && addressed.has(f.id) ? { ...f, state: 'fixed' } : f;
    const gone = verified && rechecked.has(f.id) && !remains.has(f.id);
    return { ...f, state: gone ? 'fixed' : 'remains' };
  });
}

/** Findings the fix steps that ran address. */
export function addressedFindings(plan: Plan, steps: readonly StepRecord[]): string[] {
  const ran = new Set(steps.filter((s) => s.phase === 'fix' && s.status === 'succeeded').map((s) => s.index));
  return plan.steps.filter((s) => s.phase === 'fix' && ran.has(s.index)).flatMap((s) => s.addresses ?? []);
}
