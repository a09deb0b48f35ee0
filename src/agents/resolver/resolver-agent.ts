// The resolver closes tickets: resolve with a note, or escalate to a human with a reason. Both are
// compare-and-swap status changes with an audit row naming who did it.
import { z } from 'zod';
import { defineAgent, defineCapability } from '../../core/capability.ts';
import { TwisterError } from '../../core/errors.ts';
import type { TicketEventBus } from '../../core/events.ts';
import { escalationPatch } from '../../core/handoff/escalation.ts';
import type { Routing } from '../../core/routing/routing.ts';
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { TICKET_STATUSES, canTransition, type TicketStatus } from '../../core/ticket.ts';

export interface ResolverDeps {
  store: TicketRepository;
  events: TicketEventBus;
  /** Team routing, for a ticket escalated here that has no team yet. */
  routing?: Routing;
}

const output = z.object({
  ticket_id: z.string(),
  status: z.enum(TICKET_STATUSES),
  previous_status: z.enum(TICKET_STATUSES),
});

async function close(deps: ResolverDeps, ticketId: string, to: TicketStatus, text: string, actor: string) {
  const ticket = await deps.store.get(ticketId);
  if (!ticket) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${ticketId}`);
  const from = ticket.status;
  if (!canTransition(from, to)) {
    throw new TwisterError('INVALID_TRANSITION', `ticket ${ticketId} is ${from} and cannot be ${to}`, { from, to });
  }
  const patch =
    to === 'resolved'
      ? { resolutionNote: text }
      : escalationPatch(
          ticket,
          {
            reason: text,
            outcome: 'handed_over',
            leftToDo: `${actor} handed it to a person, saying "${text}": take it from there`,
          },
          deps.routing,
        );
  const next = await deps.store.apply(ticketId, {
    transition: { from, to },
    patch,
    audit: [
      {
        ticketId,
        actor,
        action: 'ticket.status_changed',
        fromStatus: from,
        toStatus: to,
        details: { reason: text, by: 'resolver' },
      },
    ],
  });
  deps.events.publish({ type: 'status', ticketId, from, to, at: next.updatedAt, reason: text });
  return { ticket_id: ticketId, status: next.status, previous_status: from };
}

export const resolveTicket = defineCapability({
  id: 'resolver.resolve_ticket',
  description: 'Resolve a ticket with a resolution note (not while it is executing)',
  risk: 'change',
  input: z.strictObject({ ticket_id: z.uuid(), resolution_note: z.string().trim().min(1).max(10_000) }),
  output,
  run: (input, ctx: { deps: ResolverDeps; actor: string }) =>
    close(ctx.deps, input.ticket_id, 'resolved', input.resolution_note, ctx.actor),
});

export const escalateTicket = defineCapability({
  id: 'resolver.escalate',
  description: 'Hand a ticket to a human with a reason',
  risk: 'change',
  input: z.strictObject({ ticket_id: z.uuid(), reason: z.string().trim().min(1).max(10_000) }),
  output,
  run: (input, ctx: { deps: ResolverDeps; actor: string }) =>
    close(ctx.deps, input.ticket_id, 'escalated', input.reason, ctx.actor),
});

/** What the agent offers, without its dependencies: the MCP catalogue is read from it before anything is wired. */
export const resolverAgent = {
  id: 'resolver',
  description: 'Resolves tickets with a note or escalates them to a human',
  capabilities: [resolveTicket, escalateTicket],
};

export function createResolverAgent(deps: ResolverDeps) {
  return defineAgent({ ...resolverAgent, deps });
}
