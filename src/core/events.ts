// The ticket event port: what the orchestrator publishes as a ticket moves (status, analysis, plan, steps),
// read by server-sent events and the CLI's live output. In-process today; Redis pub/sub can sit behind it.
import type { Comment, StepRecord } from './ticket-repository.ts';
import type { Analysis, Plan, TicketOutcome, TicketStatus } from './ticket.ts';

export type TicketEvent =
  /** `createdAt`: when the ticket was created, when the publisher has it at hand (the time to resolution needs it). */
  | {
      type: 'status';
      ticketId: string;
      from: TicketStatus;
      to: TicketStatus;
      at: string;
      reason?: string;
      outcome?: TicketOutcome;
      createdAt?: string;
    }
  | { type: 'analysis'; ticketId: string; analysis: Analysis }
  | { type: 'plan'; ticketId: string; plan: Plan; dryRun: boolean }
  | { type: 'step'; ticketId: string; step: StepRecord }
  /** A human or an outside system changed fields that are not the status (assignee, labels, title...). */
  | { type: 'updated'; ticketId: string; at: string; actor: string; fields: Record<string, unknown> }
  | { type: 'comment'; ticketId: string; comment: Comment }
  /** Something happened where the ticket came from (an alert fired again or was resolved, a helpdesk update). */
  | { type: 'external'; ticketId: string; at: string; source: string; what: string; details: Record<string, unknown> }
  /** Processing stopped: a final state, or `planned` for a dry run. */
  | { type: 'done'; ticketId: string; status: TicketStatus; success: boolean };

/** Subscribing to this id receives every ticket's events (the console's live inbox). */
export const ALL_TICKETS = '*';

export interface TicketEventBus {
  publish(event: TicketEvent): void;
  /** One ticket's events, or every ticket's with ALL_TICKETS. Returns the function that unsubscribes. */
  subscribe(ticketId: string, listener: (event: TicketEvent) => void): () => void;
}

/** The queue port: tickets waiting to be processed. */
export interface TicketQueue {
  /**
   * Queues the ticket; `depth()` counts it from the moment this is called, before the promise settles. A ticket
   * already waiting or in flight is not queued twice. `created`: the caller created the ticket a moment ago, so no
   * job can hold its id yet and the queue need not look for one.
   */
  enqueue(ticketId: string, options?: { created?: boolean }): Promise<void>;
  /** Starts handing queued ids to the handler. */
  start(handler: (ticketId: string) => Promise<void>): void;
  /** Stops taking new work and waits for what is in flight. */
  close(): Promise<void>;
  /** Ids waiting plus in flight. */
  depth(): number;
}
