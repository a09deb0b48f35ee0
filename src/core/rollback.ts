// Rollback in the loop, as plain data: which backups this execution took, the restore steps that undo the
// fix, the verify steps to run again afterwards, and how a check's result reads in the escalation.
import { describeCondition, evaluateConditions } from './conditions.ts';
import type { StepRecord } from './ticket-repository.ts';
import type { PlannedStep, StepPhase } from './ticket.ts';

/** A finished rollback, for metrics: whether every backup came back and whether the checks passed again. */
export interface RollbackEvent {
  outcome: 'restored' | 'restore_failed';
  reverification: 'passed' | 'failed';
}

export const BACKUP_CAPABILITY = 'backup.create_backup';
export const RESTORE_CAPABILITY = 'backup.restore_backup';

/** Ids of the backups that succeeded in this execution, newest first (restored in reverse order of taking). */
export function backupsTaken(steps: readonly StepRecord[]): string[] {
  return steps
    .filter((s) => s.capability === BACKUP_CAPABILITY && s.status === 'succeeded')
    .map((s) => (s.output as { backup_id?: unknown } | null)?.backup_id)
    .filter((id): id is string => typeof id === 'string')
    .reverse();
}

/** One restore step per backup, numbered after the plan's own steps. */
export function restoreSteps(backupIds: readonly string[], firstIndex: number): PlannedStep[] {
  return backupIds.map((backupId, i) => ({
    index: firstIndex + i,
    phase: 'rollback',
    capability: RESTORE_CAPABILITY,
    agent: 'backup',
    params: { backup_id: backupId },
    risk: 'change',
    description: `Restore backup ${backupId} taken before the fix`,
    decision: 'run',
    decisionReason: "rollback of this execution's own change, from the backup it took",
  }));
}

/** The plan's verify steps again, as `re-verify` steps numbered after the rollback. */
export function recheckSteps(checks: readonly PlannedStep[], firstIndex: number): PlannedStep[] {
  return checks.map((step, i) => ({ ...step, index: firstIndex + i, phase: 're-verify' as StepPhase }));
}

/** A check passes when the step succeeded and every expected condition held; the text says why either way. */
export function judgeCheck(step: PlannedStep, record: StepRecord): { passed: boolean; text: string } {
  if (record.error) return { passed: false, text: `${step.description}: ${record.error.code} ${record.error.message}` };
  const outcomes = evaluateConditions(record.output, step.expect ?? []);
  const failed = outcomes.filter((o) => !o.held);
  if (failed.length > 0)
    return { passed: false, text: `${step.description}: ${failed.map(describeCondition).join(', ')}` };
  return { passed: true, text: `${step.description}: ${outcomes.map(describeCondition).join(', ') || 'ok'}` };
}
