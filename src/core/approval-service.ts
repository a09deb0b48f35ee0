// Deciding approvals, shared by REST, MCP and the CLI so they cannot drift: who may decide, the compare-and-swap
// on the approval, the audit row naming the approver, and what follows (run the plan, or escalate the ticket).
import { assertRole, type Caller } from './access.ts';
import type { Approval, ApprovalFilter } from './approval.ts';
import { TwisterError } from './errors.ts';
import type { TicketEventBus, TicketQueue } from './events.ts';
import { escalationPatch } from './handoff/escalation.ts';
import type { Logger } from './logger.ts';
import type { Routing } from './routing/routing.ts';
import type { TicketRepository } from './ticket-repository.ts';

export interface ApprovalServiceDeps {
  store: TicketRepository;
  queue: Pick<TicketQueue, 'enqueue'>;
  events: TicketEventBus;
  logger: Logger;
  /** Called after each decision (metrics: time from request to decision). */
  onDecided?: (approval: Approval) => void;
  /** Team routing, for a ticket escalated here that has no team yet. */
  routing?: Routing;
}

export class ApprovalService {
  constructor(private readonly deps: ApprovalServiceDeps) {}

  list(filter: ApprovalFilter): Promise<Approval[]> {
    return this.deps.store.listApprovals(filter);
  }

  /** Approves one step; when every step of the plan is approved, the ticket goes back on the queue to run. */
  async approve(id: string, caller: Caller): Promise<Approval> {
    const approval = await this.decide(id, caller, { to: 'approved', by: caller.name });
    const siblings = await this.deps.store.listApprovals({ executionId: approval.executionId, limit: 1000 });
    if (siblings.every((a) => a.status === 'approved')) await this.deps.queue.enqueue(approval.ticketId);
    return approval;
  }

  /** Denies one step: the plan does not run and the ticket goes to a human with who denied it and why. */
  async deny(id: string, caller: Caller, reason: string): Promise<Approval> {
    const approval = await this.decide(id, caller, { to: 'denied', by: caller.name, reason });
    await this.deps.store.closeApprovals({
      executionId: approval.executionId,
      to: 'denied',
      reason: `step ${approval.stepIndex} was denied`,
    });
    await this.escalate(
      approval,
      `step ${approval.stepIndex} was denied by ${caller.name}: ${reason}`,
      caller.name,
      (change) =>
        `${caller.name} refused the change (${change}), saying "${reason}"; nothing ran: deal with what was found another way, or close the ticket`,
    );
    return approval;
  }

  /** Pending approvals past their expiry become expired and their tickets are escalated. Returns how many. */
  async expireDue(): Promise<number> {
    const expired = await this.deps.store.closeApprovals({ to: 'expired', reason: 'no decision before it expired' });
    const byExecution = new Map(expired.map((a) => [a.executionId, a]));
    for (const approval of byExecution.values()) {
      await this.deps.store.closeApprovals({
        executionId: approval.executionId,
        to: 'expired',
        reason: 'another step of the plan expired',
      });
      await this.deps.store.appendAudit([
        {
          ticketId: approval.ticketId,
          actor: 'approvals',
          action: 'approval.expired',
          details: { approvalId: approval.id, step: approval.stepIndex },
        },
      ]);
      await this.escalate(
        approval,
        `the approval of step ${approval.stepIndex} expired at ${approval.expiresAt} with no decision`,
        'approvals',
        (change) =>
          `nobody approved or refused the change (${change}) in time, so nothing ran: run the ticket again to ask anew, or make the change by hand`,
      );
    }
    return expired.length;
  }

  private async decide(
    id: string,
    caller: Caller,
    decision: { to: 'approved' | 'denied'; by: string; reason?: string },
  ): Promise<Approval> {
    assertRole(caller, 'admin', `${decision.to === 'approved' ? 'approving' : 'denying'} a step`);
    const current = await this.deps.store.getApproval(id);
    if (!current) throw new TwisterError('APPROVAL_NOT_FOUND', `no approval has id ${id}`, { approvalId: id });
    if (current.requestedBy === caller.name) {
      throw new TwisterError(
        'FORBIDDEN',
        `key ${caller.name} requested ticket ${current.ticketId}; someone else must decide its approvals`,
      );
    }
    const decided = await this.deps.store.decideApproval(id, decision);
    if (!decided) {
      // Lost the swap: decided by someone else meanwhile, or past its expiry (then expire it and escalate now).
      if (current.status === 'pending' && Date.parse(current.expiresAt) <= Date.now()) await this.expireDue();
      const after = (await this.deps.store.getApproval(id)) ?? current;
      throw new TwisterError('APPROVAL_CONFLICT', `approval ${id} is ${after.status}, not pending`, {
        approvalId: id,
        status: after.status,
      });
    }
    await this.deps.store.appendAudit([
      {
        ticketId: decided.ticketId,
        actor: caller.name,
        action: `approval.${decision.to}`,
        details: {
          approvalId: id,
          executionId: decided.executionId,
          step: decided.stepIndex,
          stepHash: decided.stepHash,
          ...(decision.reason ? { reason: decision.reason } : {}),
        },
      },
    ]);
    this.deps.onDecided?.(decided);
    return decided;
  }

  private async escalate(
    approval: Approval,
    reason: string,
    actor: string,
    leftToDo: (change: string) => string,
  ): Promise<void> {
    const ticket = await this.deps.store.get(approval.ticketId);
    if (ticket?.status !== 'awaiting_approval') return;
    // The plan says what the change was and what diagnosis found (the approver saw the same).
    const plan = (await this.deps.store.getProgress(ticket.id))?.execution.plan;
    const step = plan?.steps.find((s) => s.index === approval.stepIndex);
    const patch = escalationPatch(
      ticket,
      {
        reason,
        leftToDo: leftToDo(step?.description ?? `step ${approval.stepIndex}`),
        outcome: 'handed_over',
        ...(plan?.findings?.length ? { findings: plan.findings } : {}),
      },
      this.deps.routing,
    );
    try {
      const next = await this.deps.store.apply(ticket.id, {
        transition: { from: 'awaiting_approval', to: 'escalated' },
        patch,
        finishExecution: { id: approval.executionId, success: false, successRate: 0, summary: reason },
        audit: [
          {
            ticketId: ticket.id,
            actor,
            action: 'ticket.status_changed',
            fromStatus: 'awaiting_approval',
            toStatus: 'escalated',
            details: { reason, executionId: approval.executionId, handoff: patch.handoffSummary },
          },
        ],
      });
      this.deps.events.publish({
        type: 'status',
        ticketId: ticket.id,
        from: 'awaiting_approval',
        to: 'escalated',
        at: next.updatedAt,
        reason,
      });
      this.deps.events.publish({ type: 'done', ticketId: ticket.id, status: 'escalated', success: false });
    } catch (error) {
      // Someone else moved it first (another decision, the sweeper): that outcome stands.
      if (!(error instanceof TwisterError && error.code === 'INVALID_TRANSITION')) throw error;
    }
  }
}
