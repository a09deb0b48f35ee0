// Every way a ticket reaches `escalated` builds its write here, so none can leave the person who takes it without
// a handoff: the technical reason (step numbers, capability ids, rule texts) as the escalation reason, the
// plain-words summary beside it, and the team routing chose (routed now, and assigned when the rule names someone,
// for a ticket that was never triaged). The orchestrator, approval decisions and expiries, the requester's
// reopening, a no-fault-found ticket nobody answered and the resolver's escalate capability all call it.
import { DEFAULT_ROUTING, route, type Routing } from '../routing/routing.ts';
import type { Ticket, TicketPatch } from '../ticket-repository.ts';
import type { Finding, TicketOutcome } from '../ticket.ts';
import { handoffSummary } from './handoff.ts';

export interface Escalation {
  /** The technical detail: what the loop or the person said, with ids; stored as the escalation reason. */
  reason: string;
  /** What is left for the person who takes it, in plain words; without it, what the findings and outcome say. */
  leftToDo?: string;
  /** What was checked, in plain words, when the ticket's findings do not say it. */
  checked?: string;
  /** Why the loop did not diagnose the ticket. */
  notDiagnosed?: string;
  /** How it ended; the ticket's own outcome, or `handed_over`, without it. */
  outcome?: TicketOutcome;
  /** The findings to tell; the ticket's without them. */
  findings?: readonly Finding[];
}

/** The team (and person) a ticket goes to: the one stored at triage, else routed now. */
export function teamFor(
  ticket: Pick<Ticket, 'team' | 'analysis' | 'description'>,
  routing: Routing = DEFAULT_ROUTING,
): { team: string; assignee?: string } {
  if (ticket.team) return { team: ticket.team };
  if (ticket.analysis?.team)
    return { team: ticket.analysis.team, ...(ticket.analysis.assignee ? { assignee: ticket.analysis.assignee } : {}) };
  if (ticket.analysis) {
    const routed = route(routing, ticket.analysis, ticket.description);
    return { team: routed.team, ...(routed.assignee ? { assignee: routed.assignee } : {}) };
  }
  // Never analysed: nothing to match rules on, so the default desk takes it.
  return { team: routing.default.team, ...(routing.default.assignee ? { assignee: routing.default.assignee } : {}) };
}

/** The handoff fields of a ticket that goes to a person: the summary, and the team (and assignee) when not set yet. */
export function handoffPatch(
  ticket: Ticket,
  facts: Omit<Escalation, 'reason'>,
  routing?: Routing,
): { handoffSummary: string } & Pick<TicketPatch, 'team' | 'assignee'> {
  const { team, assignee } = teamFor(ticket, routing);
  // What the loop checked, as the handoff written when it stopped said it (a no-fault-found ticket reopened later).
  const checkedBefore = ticket.handoffSummary?.match(/^Checked: (.+)$/m)?.[1];
  const checked =
    facts.checked ?? (checkedBefore && !checkedBefore.startsWith('no automatic check') ? checkedBefore : undefined);
  const handoffSummaryText = handoffSummary({
    analysis: ticket.analysis,
    ticket,
    team,
    outcome: facts.outcome ?? ticket.outcome ?? 'handed_over',
    findings: facts.findings ?? ticket.findings,
    ...(checked ? { checked } : {}),
    ...(facts.notDiagnosed ? { notDiagnosed: facts.notDiagnosed } : {}),
    ...(facts.leftToDo ? { leftToDo: facts.leftToDo } : {}),
  });
  return {
    handoffSummary: handoffSummaryText,
    ...(ticket.team ? {} : { team }),
    ...(assignee && !ticket.assignee ? { assignee } : {}),
  };
}

/** The patch of an escalation: the reason as technical detail, the plain-words handoff, the team. */
export function escalationPatch(
  ticket: Ticket,
  escalation: Escalation,
  routing?: Routing,
): TicketPatch & { escalationReason: string; handoffSummary: string } {
  return {
    escalationReason: escalation.reason,
    ...handoffPatch(ticket, escalation, routing),
    ...(escalation.outcome ? { outcome: escalation.outcome } : {}),
  };
}
