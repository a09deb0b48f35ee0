// Policy: decides, per planned step, whether it runs unattended, waits for a human, or is refused.
import type { Risk } from './capability.ts';
import type { PolicyDecision, Priority } from './ticket.ts';

export interface StepPolicyInput {
  risk: Risk;
  priority: Priority;
  /** A backup step precedes this one in the plan. */
  backupBefore: boolean;
  /** The plan verifies the outcome after the fix. */
  verified: boolean;
}

export function decideStep(input: StepPolicyInput): { decision: PolicyDecision; reason: string } {
  if (input.risk === 'read') return { decision: 'run', reason: 'read-only' };
  if (input.risk === 'destructive') {
    return { decision: 'needs_approval', reason: 'destructive steps wait for a human approval' };
  }
  if (!input.verified) {
    return { decision: 'needs_approval', reason: 'a change with no verification after it needs a human' };
  }
  const highStakes = input.priority === 'critical' || input.priority === 'high';
  if (highStakes && !input.backupBefore) {
    return { decision: 'needs_approval', reason: `a change on a ${input.priority}-priority ticket needs a backup before it` };
  }
  return { decision: 'run', reason: input.backupBefore ? 'change, backed up and verified' : 'change, verified' };
}
