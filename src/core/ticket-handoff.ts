// A human takes over: assign a ticket, comment on it, resolve it with a note (a human resolution, never counted
// as autonomous), or send it through the loop again once the cause outside it was dealt with (rerun). Each is one
// write with its audit row, then an event. REST, MCP and the CLI share this; the requester's own answers
// (confirm, reopen) are in ticket-feedback.ts.
import { assertRole, hasRole, type Caller } from './access.ts';
import { TwisterError } from './errors.ts';
import type { TicketEventBus, TicketQueue } from './events.ts';
import type { Logger } from './logger.ts';
import type { Comment, Ticket, TicketRepository } from './ticket-repository.ts';
import { canTransition, type TicketStatus } from './ticket.ts';

export interface TicketHandoffDeps {
  store: TicketRepository;
  events: TicketEventBus;
  queue: TicketQueue;
  logger: Logger;
}

/** Where a ticket may be sent through the loop again: a human has it, or the loop settled it. */
export const RERUN_FROM: ReadonlySet<TicketStatus> = new Set(['escalated', 'no_fault_found', 'resolved']);

export class TicketHandoff {
  constructor(private readonly deps: TicketHandoffDeps) {}

  /** Hands the ticket to a person (null: to nobody). */
  async assign(ticketId: string, caller: Caller, assignee: string | null): Promise<Ticket> {
    assertRole(caller, 'operator', `assigning ticket ${ticketId}`);
    const ticket = await this.find(ticketId);
    const next = await this.deps.store.apply(ticketId, {
      patch: { assignee },
      audit: [
        { ticketId, actor: caller.name, action: 'ticket.assigned', details: { from: ticket.assignee, to: assignee } },
      ],
    });
    this.deps.events.publish({
      type: 'updated',
      ticketId,
      at: next.updatedAt,
      actor: caller.name,
      fields: { assignee },
    });
    return next;
  }

  /** The requester or an operator adds words to the ticket; `source` says which door they came through. */
  async comment(ticketId: string, caller: Caller, body: string, source: string): Promise<Comment> {
    const ticket = await this.find(ticketId);
    if (ticket.requester !== caller.name && !hasRole(caller, 'operator')) {
      throw new TwisterError(
        'FORBIDDEN',
        `only the requester (${ticket.requester}) or an operator may comment on ticket ${ticketId}; key ${caller.name} is ${caller.role}`,
      );
    }
    const comment = await this.deps.store.addComment(ticketId, { author: caller.name, body, source });
    if (!comment) throw new TwisterError('INTERNAL', `the comment on ticket ${ticketId} was not stored`);
    this.deps.events.publish({ type: 'comment', ticketId, comment });
    return comment;
  }

  async comments(ticketId: string): Promise<Comment[]> {
    await this.find(ticketId);
    return this.deps.store.listComments(ticketId);
  }

  /** A person closes the ticket with a note; pending approvals of its plan are denied with it. */
  async resolve(ticketId: string, caller: Caller, note: string): Promise<Ticket> {
    assertRole(caller, 'operator', `resolving ticket ${ticketId}`);
    const ticket = await this.find(ticketId);
    if (!canTransition(ticket.status, 'resolved')) {
      const why = FINAL_WORDS[ticket.status] ?? 'it is being worked on; wait until it settles or is escalated';
      throw new TwisterError('INVALID_TRANSITION', `ticket ${ticketId} is ${ticket.status}: ${why}`, {
        from: ticket.status,
        to: 'resolved',
      });
    }
    const resolutionNote = `Resolved by ${caller.name}: ${note.trim()}`;
    const next = await this.move(
      ticket,
      'resolved',
      caller,
      { resolutionNote, outcome: 'closed_by_human', resolvedBy: caller.name },
      { note },
    );
    if (ticket.status === 'awaiting_approval') {
      const progress = await this.deps.store.getProgress(ticketId);
      if (progress)
        await this.deps.store.closeApprovals({
          executionId: progress.execution.id,
          to: 'denied',
          reason: `ticket resolved by ${caller.name}`,
        });
    }
    return next;
  }

  /** Plans the ticket again from its description (analysis, diagnosis, a fix for what is confirmed). */
  async rerun(ticketId: string, caller: Caller, reason: string): Promise<Ticket> {
    assertRole(caller, 'operator', `running ticket ${ticketId} again`);
    const ticket = await this.find(ticketId);
    if (!RERUN_FROM.has(ticket.status)) {
      throw new TwisterError(
        'INVALID_TRANSITION',
        `ticket ${ticketId} is ${ticket.status}: only an escalated, no-fault-found or resolved ticket is run again`,
        { from: ticket.status, to: 'new' },
      );
    }
    const next = await this.move(ticket, 'new', caller, { outcome: null }, { reason, rerun: true });
    await this.deps.queue.enqueue(ticketId);
    return next;
  }

  private async find(ticketId: string): Promise<Ticket> {
    const ticket = await this.deps.store.get(ticketId);
    if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
    return ticket;
  }

  private async move(
    ticket: Ticket,
    to: TicketStatus,
    caller: Caller,
    patch: Parameters<TicketRepository['apply']>[1]['patch'],
    details: Record<string, unknown>,
  ): Promise<Ticket> {
    const reason = patch?.resolutionNote ?? String(details.reason ?? '');
    const next = await this.deps.store.apply(ticket.id, {
      transition: { from: ticket.status, to },
      ...(patch ? { patch } : {}),
      audit: [
        {
          ticketId: ticket.id,
          actor: caller.name,
          action: 'ticket.status_changed',
          fromStatus: ticket.status,
          toStatus: to,
          details: { ...details, by: caller.name, outcome: patch?.outcome ?? null },
        },
      ],
    });
    const outcome = patch?.outcome ?? undefined;
    this.deps.events.publish({
      type: 'status',
      ticketId: ticket.id,
      from: ticket.status,
      to,
      at: next.updatedAt,
      reason,
      ...(outcome ? { outcome } : {}),
    });
    if (to === 'resolved') this.deps.events.publish({ type: 'done', ticketId: ticket.id, status: to, success: true });
    this.deps.logger.info(
      { ticketId: ticket.id, from: ticket.status, to, actor: caller.name },
      'ticket handed over by a person',
    );
    return next;
  }
}

const FINAL_WORDS: Partial<Record<TicketStatus, string>> = {
  resolved: 'it is resolved already',
  failed: 'a failed ticket is final; submit a new one',
};
