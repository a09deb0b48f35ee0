// Which notification events a ticket change is: core says "this happened", the store writes one outbox row per
// channel that wants it, in the same statement as the change. Pure: no I/O.
import type { TicketChange } from '../ticket-repository.ts';

export const NOTIFICATION_EVENTS = [
  'ticket.escalated',
  'approval.requested',
  'approval.expiring',
  'ticket.no_fault_found',
  'ticket.resolved',
  'ticket.status_changed',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** One event a change is, with what the message needs beyond the ticket as the change leaves it. */
export interface EventOccurrence {
  event: NotificationEvent;
  details: Record<string, unknown>;
}

/** The events of one change: none without a status move; a move is always `ticket.status_changed` too. */
export function eventsForChange(change: TicketChange): EventOccurrence[] {
  const move = change.transition;
  if (!move) return [];
  const hop = { from: move.from, to: move.to, ...(move.via && move.via.length > 0 ? { via: move.via } : {}) };
  const events: EventOccurrence[] = [{ event: 'ticket.status_changed', details: hop }];
  if (move.to === 'escalated')
    events.push({ event: 'ticket.escalated', details: { ...hop, reason: change.patch?.escalationReason ?? null } });
  if (move.to === 'resolved')
    events.push({ event: 'ticket.resolved', details: { ...hop, note: change.patch?.resolutionNote ?? null } });
  if (move.to === 'no_fault_found') events.push({ event: 'ticket.no_fault_found', details: hop });
  if ((change.newApprovals?.length ?? 0) > 0)
    events.push({ event: 'approval.requested', details: { ...hop, ...approvalDetails(change) } });
  return events;
}

// What the approver is asked: each step with what it does and why policy stopped it, and the figures diagnosis found.
function approvalDetails(change: TicketChange): Record<string, unknown> {
  const plan = change.newExecution?.plan;
  const approvals = (change.newApprovals ?? []).map((a) => {
    const step = plan?.steps.find((s) => s.index === a.stepIndex);
    return {
      id: a.id,
      stepIndex: a.stepIndex,
      expiresAt: a.expiresAt,
      ...(step
        ? {
            capability: step.capability,
            description: step.description,
            risk: step.risk,
            why: step.decisionReason,
            params: step.params,
          }
        : {}),
    };
  });
  return {
    approvals,
    runbook: plan?.runbookId ?? null,
    plan: plan?.title ?? null,
    findings: (plan?.findings ?? change.patch?.findings ?? []).map((f) => ({
      id: f.id,
      target: f.target,
      summary: f.summary,
      evidence: f.evidence,
    })),
  };
}
