// Policy: decides, per planned step, whether it runs unattended, waits for a human, or is refused.
import type { Risk } from './capability.ts';
import type { PolicyDecision, Priority } from './ticket.ts';

/**
 * When a `change` runs unattended: `backup-and-verify` (the default: a backup before it, or the runbook's stated
 * reason there is nothing to back up, and a verification after it), `verify` (a verification after it is enough),
 * `approve` (every change waits for a human).
 */
export const CHANGE_POLICIES = ['backup-and-verify', 'verify', 'approve'] as const;
export type ChangePolicy = (typeof CHANGE_POLICIES)[number];

export interface StepPolicyInput {
  risk: Risk;
  priority: Priority;
  /** A backup step precedes this one in the plan. */
  backupBefore: boolean;
  /** The plan verifies the outcome after the fix. */
  verified: boolean;
  /** The runbook's reason this change has nothing to back up (a restart, ending a session). */
  withoutBackup?: string;
  changePolicy?: ChangePolicy;
}

export function decideStep(input: StepPolicyInput): { decision: PolicyDecision; reason: string } {
  if (input.risk === 'read') return { decision: 'run', reason: 'read-only' };
  if (input.risk === 'destructive') {
    return { decision: 'needs_approval', reason: 'destructive steps wait for a human approval' };
  }
  const policy = input.changePolicy ?? 'backup-and-verify';
  if (policy === 'approve')
    return { decision: 'needs_approval', reason: 'the change policy is "approve": every change waits for a human' };
  if (!input.verified) {
    return { decision: 'needs_approval', reason: 'a change with no verification after it needs a human' };
  }
  if (input.backupBefore) return { decision: 'run', reason: 'change, backed up and verified' };
  if (policy === 'verify')
    return { decision: 'run', reason: 'change, verified (the change policy does not ask for a backup)' };
  if (input.withoutBackup)
    return { decision: 'run', reason: `change, verified; nothing to back up: ${input.withoutBackup}` };
  return {
    decision: 'needs_approval',
    reason: `a change needs a backup before it, or the runbook's reason why it needs none (${input.priority}-priority ticket)`,
  };
}
