// The requester's word on a ticket the loop settled: after "no fault found" they confirm (→ resolved) or reopen
// (→ escalated, with everything found); a resolved ticket can be reopened too. A no-fault-found ticket nobody
// answers goes to a human after its time, so no ticket is left waiting forever. REST, MCP and the CLI share this.
import { hasRole, type Caller } from './access.ts';
import { TwisterError } from './errors.ts';
import type { TicketEventBus } from './events.ts';
import { escalationPatch } from './handoff/escalation.ts';
import type { Logger } from './logger.ts';
import type { Routing } from './routing/routing.ts';
import type { Ticket, TicketPatch, TicketRepository } from './ticket-repository.ts';
import type { TicketStatus } from './ticket.ts';

export const DEFAULT_NO_FAULT_TTL_MS = 72 * 3_600_000;

export interface TicketFeedbackDeps {
  store: TicketRepository;
  events: TicketEventBus;
  logger: Logger;
  /** How long a no-fault-found ticket waits for its requester before a human gets it. */
  noFaultTtlMs?: number;
  /** Team routing, for a ticket escalated here that has no team yet. */
  routing?: Routing;
}

export class TicketFeedback {
  constructor(private readonly deps: TicketFeedbackDeps) {}

  /** "Yes, all is well": a no-fault-found ticket is resolved, in the requester's words. */
  async confirm(ticketId: string, caller: Caller, note?: string): Promise<Ticket> {
    const ticket = await this.mayAnswer(ticketId, caller, 'confirm');
    if (ticket.status !== 'no_fault_found') {
      throw new TwisterError(
        'INVALID_TRANSITION',
        `ticket ${ticketId} is ${ticket.status}: only a ticket where no fault was found is confirmed`,
        { from: ticket.status, to: 'resolved' },
      );
    }
    const words = note?.trim() ? `: ${note.trim()}` : '';
    const resolutionNote = `Confirmed by ${caller.name}, nothing to fix${words}. ${ticket.resolutionNote ?? ''}`.trim();
    return this.move(
      ticket,
      'resolved',
      caller.name,
      { resolutionNote, outcome: 'confirmed_no_fault', resolvedBy: caller.name },
      { confirmedBy: caller.name, note: note ?? null },
    );
  }

  /** "It is still broken": to a human, with what the loop found and did. */
  async reopen(ticketId: string, caller: Caller, reason: string, options: { assignee?: string } = {}): Promise<Ticket> {
    const ticket = await this.mayAnswer(ticketId, caller, 'reopen');
    // Handing it to someone on the way is an operator's act, as assigning is.
    if (options.assignee !== undefined && !hasRole(caller, 'operator')) {
      throw new TwisterError(
        'FORBIDDEN',
        `assigning ticket ${ticketId} needs the operator role; key ${caller.name} is ${caller.role}`,
      );
    }
    if (ticket.status !== 'no_fault_found' && ticket.status !== 'resolved') {
      throw new TwisterError(
        'INVALID_TRANSITION',
        `ticket ${ticketId} is ${ticket.status}: only a resolved or no-fault-found ticket is reopened`,
        { from: ticket.status, to: 'escalated' },
      );
    }
    const before = ticket.resolutionNote ? ` Before: ${ticket.resolutionNote}` : '';
    const escalationReason = `Reopened by ${caller.name}: ${reason.trim()}.${before}`;
    const assignee = options.assignee !== undefined ? { assignee: options.assignee } : {};
    const was = ticket.status === 'resolved' ? 'it was marked resolved' : 'no fault was found';
    const patch = escalationPatch(
      ticket,
      {
        reason: escalationReason,
        outcome: 'reopened',
        leftToDo: `${caller.name} says it is still not right ("${reason.trim()}") although ${was}: look at it again with them`,
      },
      this.deps.routing,
    );
    return this.move(
      ticket,
      'escalated',
      caller.name,
      { ...patch, ...assignee },
      { reopenedBy: caller.name, reason, ...assignee },
    );
  }

  /** No-fault-found tickets past their time go to a human. Returns how many. */
  async expireDue(now = Date.now()): Promise<number> {
    const ttl = this.deps.noFaultTtlMs ?? DEFAULT_NO_FAULT_TTL_MS;
    let moved = 0;
    for (let offset = 0; ; offset += 200) {
      const { items } = await this.deps.store.list({ status: 'no_fault_found', limit: 200, offset });
      for (const ticket of items.filter((t) => Date.parse(t.updatedAt) + ttl <= now)) {
        const hours = Math.round(ttl / 360_000) / 10;
        const escalationReason =
          `No fault was found and ${ticket.requester} did not confirm or reopen within ${hours} h; a human should close it. ${ticket.resolutionNote ?? ''}`.trim();
        try {
          const patch = escalationPatch(
            ticket,
            {
              reason: escalationReason,
              leftToDo: `no fault was found and ${ticket.requester} did not say whether it is solved: ask them, then close the ticket or look again`,
            },
            this.deps.routing,
          );
          await this.move(ticket, 'escalated', 'tickets', patch, { reason: 'no answer from the requester' });
          moved += 1;
        } catch (error) {
          // Answered meanwhile: that answer stands.
          if (!(error instanceof TwisterError && error.code === 'INVALID_TRANSITION')) throw error;
        }
      }
      if (items.length < 200) return moved;
    }
  }

  /** The requester, or anyone who may act on tickets (operator and up), answers for a ticket. */
  private async mayAnswer(ticketId: string, caller: Caller, what: string): Promise<Ticket> {
    const ticket = await this.deps.store.get(ticketId);
    if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
    if (ticket.requester !== caller.name && !hasRole(caller, 'operator')) {
      throw new TwisterError(
        'FORBIDDEN',
        `only the requester (${ticket.requester}) or an operator may ${what} ticket ${ticketId}; key ${caller.name} is ${caller.role}`,
      );
    }
    return ticket;
  }

  private async move(
    ticket: Ticket,
    to: TicketStatus,
    actor: string,
    patch: TicketPatch,
    details: Record<string, unknown>,
  ): Promise<Ticket> {
    const reason = patch.escalationReason ?? patch.resolutionNote ?? '';
    const next = await this.deps.store.apply(ticket.id, {
      transition: { from: ticket.status, to },
      patch,
      audit: [
        {
          ticketId: ticket.id,
          actor,
          action: 'ticket.status_changed',
          fromStatus: ticket.status,
          toStatus: to,
          details: { ...details, reason, outcome: patch.outcome ?? ticket.outcome },
        },
      ],
    });
    const outcome = patch.outcome ?? ticket.outcome;
    this.deps.events.publish({
      type: 'status',
      ticketId: ticket.id,
      from: ticket.status,
      to,
      at: next.updatedAt,
      reason,
      ...(outcome ? { outcome } : {}),
    });
    this.deps.events.publish({ type: 'done', ticketId: ticket.id, status: to, success: to === 'resolved' });
    this.deps.logger.info({ ticketId: ticket.id, from: ticket.status, to, actor }, 'ticket answered');
    return next;
  }
}
