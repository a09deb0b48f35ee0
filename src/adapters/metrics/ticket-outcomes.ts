// How a final transition is counted: who resolved the ticket, and why it was escalated. The orchestrator is
// the only one that resolves out of `verifying`, and its escalation reasons start with fixed phrases.
import type { TicketStatus } from '../../core/ticket.ts';

export type TicketOutcome = 'resolved_autonomously' | 'resolved_by_human' | 'escalated' | 'failed';

export function ticketOutcome(from: TicketStatus, to: TicketStatus): TicketOutcome | undefined {
  if (to === 'resolved') return from === 'verifying' ? 'resolved_autonomously' : 'resolved_by_human';
  if (to === 'escalated' || to === 'failed') return to;
  return undefined;
}

const KINDS: Array<[RegExp, string]> = [
  [/^verification failed/, 'verification_failed'],
  [/^fix step \d+ .* failed/, 'fix_failed'],
  [/^step \d+ .* needs approval/, 'approval_required'],
  [/^step \d+ .* is refused/, 'policy_refused'],
  [/^no runbook fits/, 'no_runbook'],
  [/^interrupted while/, 'interrupted'],
];

/** A small, fixed set of label values (free text would explode the series count). */
export function escalationKind(reason: string | undefined): string {
  if (!reason) return 'other';
  return KINDS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
