// The record of a run and the events it sends: each phase's writes in one transaction (compare-and-swap on the
// status, an audit row per state entered), events only after the commit, and how a run ends (resolved,
// no_fault_found or escalated) with its findings and outcome.
import type { TicketEventBus } from './events.ts';
import type { LeasedWrites } from './leased-writes.ts';
import type { AuditEntry, RunningStep, StepRecord, Ticket, TicketChange, TicketPatch } from './ticket-repository.ts';
import { SETTLED_STATUSES, type Finding, type Plan, type TicketOutcome, type TicketStatus } from './ticket.ts';

export const ACTOR = 'orchestrator';

export interface ExecutionOutcome {
  ticket: Ticket;
  plan: Plan | null;
  steps: StepRecord[];
  success: boolean;
  successRate: number;
}

export interface Run {
  ticket: Ticket;
  executionId: string;
  plan: Plan;
  steps: StepRecord[];
  /** Approval id per step index, on a plan resumed after its approvals. */
  approvals?: Map<number, string>;
  /** On a resumed run: the results stored before the interruption, by step index; these steps do not run again. */
  replay?: Map<number, StepRecord>;
  /** On a resumed run: the step that was running, to run again with the same idempotency key. */
  retake?: RunningStep;
}

// The ticket stops being worked on: nobody needs the lease until someone picks it up again.
const RELEASES_LEASE: ReadonlySet<TicketStatus> = new Set([...SETTLED_STATUSES, 'awaiting_approval', 'planned']);

/** A status change to write with other data: the target, states passed on the way, and audit details per state. */
export interface Move {
  to: TicketStatus;
  via?: TicketStatus[];
  details?: Partial<Record<TicketStatus, Record<string, unknown>>>;
}

export interface RunRecorderDeps {
  writes: LeasedWrites;
  events: TicketEventBus;
  /**
   * The plain-words handoff written with every escalation and no-fault-found (the summary stays the technical
   * detail), with the team when the ticket has none yet; `leftToDo` when the way the run ended decides it.
   */
  handoff?: (
    ticket: Ticket,
    facts: { run?: Run; outcome: TicketOutcome; findings?: readonly Finding[] | undefined; leftToDo?: string },
  ) => Pick<TicketPatch, 'handoffSummary' | 'team' | 'assignee'>;
}

export class RunRecorder {
  constructor(private readonly deps: RunRecorderDeps) {}

  /** Writes a step's result, with the status change it leads to when there is one. */
  async step(run: Run, record: StepRecord, move?: Move, change: Omit<TicketChange, 'audit'> = {}): Promise<Ticket> {
    const audit = stepAudit(run, record);
    // Stored before an interruption, with the move it led to: the ticket already stands where that write put it.
    if (run.replay?.has(record.index)) return run.ticket;
    const publish = () => this.deps.events.publish({ type: 'step', ticketId: run.ticket.id, step: record });
    if (move) return this.write(run.ticket, move, { ...change, steps: [record], audit: [audit] }, publish);
    const ticket = await this.deps.writes.apply(run.ticket.id, { ...change, steps: [record], audit: [audit] });
    publish();
    return ticket;
  }

  async finish(
    run: Run,
    to: 'resolved' | 'escalated' | 'no_fault_found',
    summary: string,
    record?: StepRecord,
    attached: Record<string, unknown> = {},
    result: { findings?: Finding[]; outcome?: TicketOutcome; leftToDo?: string } = {},
  ): Promise<ExecutionOutcome> {
    const successRate = rate(run.steps);
    const outcome =
      result.outcome ??
      (to === 'resolved' ? 'verified_fix' : to === 'no_fault_found' ? 'no_fault_found' : 'handed_over');
    const handed =
      to === 'resolved'
        ? undefined
        : this.deps.handoff?.(run.ticket, {
            run,
            outcome,
            findings: result.findings,
            ...(result.leftToDo ? { leftToDo: result.leftToDo } : {}),
          });
    const handoff = handed?.handoffSummary;
    const change = {
      patch: {
        ...handed,
        // Fixed after all (an approval came): the handoff written while it waited no longer applies.
        ...(to === 'resolved' && run.ticket.handoffSummary ? { handoffSummary: null } : {}),
        ...(to === 'escalated' ? { escalationReason: summary } : { resolutionNote: summary }),
        ...(result.findings ? { findings: result.findings } : {}),
        outcome,
      },
      finishExecution: { id: run.executionId, success: to !== 'escalated', successRate, summary },
    };
    const move: Move = {
      to,
      details: {
        [to]: {
          reason: summary,
          executionId: run.executionId,
          successRate,
          outcome,
          ...(handoff ? { handoff } : {}),
          ...attached,
        },
      },
    };
    run.ticket = record
      ? await this.step(run, record, move, change)
      : await this.write(run.ticket, move, { ...change, audit: [] });
    return this.outcome(run, to === 'resolved');
  }

  /** A ticket escalated outside a run's end (nothing to resume): the reason, the plain-words handoff, the team. */
  escalate(ticket: Ticket, reason: string, leftToDo: string): Promise<Ticket> {
    const handed = this.deps.handoff?.(ticket, { outcome: 'handed_over', leftToDo });
    return this.write(
      ticket,
      {
        to: 'escalated',
        details: { escalated: { reason, ...(handed?.handoffSummary ? { handoff: handed.handoffSummary } : {}) } },
      },
      {
        patch: { escalationReason: reason, outcome: 'handed_over', ...handed },
        audit: [],
      },
    );
  }

  outcome(run: Run, success: boolean): ExecutionOutcome {
    return { ticket: run.ticket, plan: run.plan, steps: run.steps, success, successRate: rate(run.steps) };
  }

  /**
   * One transaction: the status change (compare-and-swap, through `via`), whatever else the phase writes, and an
   * audit row per state entered. Events go out after the commit, so a listener never sees what was not stored.
   */
  async write(ticket: Ticket, move: Move, change: TicketChange, before?: () => void): Promise<Ticket> {
    const hops = [ticket.status, ...(move.via ?? []), move.to];
    const audit: AuditEntry[] = hops.slice(1).map((to, i) => ({
      ticketId: ticket.id,
      actor: ACTOR,
      action: 'ticket.status_changed',
      fromStatus: hops[i]!,
      toStatus: to,
      details: move.details?.[to] ?? {},
    }));
    const next = await this.deps.writes.apply(
      ticket.id,
      {
        ...change,
        transition: { from: ticket.status, to: move.to, ...(move.via?.length ? { via: move.via } : {}) },
        audit: [...change.audit, ...audit],
      },
      RELEASES_LEASE.has(move.to),
    );
    before?.();
    for (const row of audit) {
      const reason = row.details?.reason;
      const outcome = row.details?.outcome as TicketOutcome | undefined;
      this.deps.events.publish({
        type: 'status',
        ticketId: ticket.id,
        from: row.fromStatus!,
        to: row.toStatus!,
        at: next.updatedAt,
        createdAt: next.createdAt,
        ...(typeof reason === 'string' ? { reason } : {}),
        ...(outcome ? { outcome } : {}),
      });
    }
    return next;
  }
}

/** The audit row of a step's result, written with it. */
export function stepAudit(run: Run, record: StepRecord): AuditEntry {
  return {
    ticketId: run.ticket.id,
    actor: ACTOR,
    action: record.error ? 'step.failed' : 'step.succeeded',
    details: {
      executionId: run.executionId,
      index: record.index,
      capability: record.capability,
      ...(record.error ? { error: record.error.code } : {}),
    },
  };
}

/** Share of the steps that ran which succeeded (a skipped step did not run). */
export function rate(steps: readonly StepRecord[]): number {
  const ran = steps.filter((s) => s.status !== 'skipped');
  return ran.length === 0 ? 0 : ran.filter((s) => s.status === 'succeeded').length / ran.length;
}
