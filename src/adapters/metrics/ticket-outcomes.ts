// How a settling transition is counted: who resolved the ticket and how, and why it was escalated. Only a fix
// TwisterLab verified by itself counts as resolved autonomously: a fix that needed an approval is assisted, a
// ticket where nothing was found is no_fault_found (then confirmed, reopened or handed over). The orchestrator's
// escalation reasons start with fixed phrases.
import type { TicketOutcome as RecordedOutcome, TicketStatus } from '../../core/ticket.ts';

export type TicketOutcome =
  | 'resolved_autonomously'
  | 'assisted_fix'
  | 'resolved_by_human'
  | 'no_fault_found'
  | 'confirmed_no_fault'
  | 'reopened'
  | 'escalated'
  | 'failed';

export function ticketOutcome(
  from: TicketStatus,
  to: TicketStatus,
  recorded?: RecordedOutcome,
): TicketOutcome | undefined {
  if (to === 'resolved') {
    if (recorded === 'assisted_fix') return 'assisted_fix';
    if (recorded === 'confirmed_no_fault') return 'confirmed_no_fault';
    return from === 'verifying' ? 'resolved_autonomously' : 'resolved_by_human';
  }
  if (to === 'no_fault_found') return 'no_fault_found';
  if (to === 'escalated' && recorded === 'reopened') return 'reopened';
  if (to === 'escalated' || to === 'failed') return to;
  return undefined;
}

const KINDS: Array<[RegExp, string]> = [
  [/^verification failed/, 'verification_failed'],
  [/^partly fixed/, 'partial_fix'],
  [/^Found, with no safe automatic fix/, 'finding_without_fix'],
  [/^the ticket does not say which system/, 'ambiguous_target'],
  [/^Reopened by/, 'reopened'],
  [/^No fault was found and/, 'no_answer'],
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
