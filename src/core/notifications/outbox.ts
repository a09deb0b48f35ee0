// The notification outbox ports: which channels want an event (the router, asked inside the ticket write), and
// the queue of rows the dispatcher claims, delivers and marks (the outbox store).
import type { Category, Priority } from '../ticket.ts';
import type { NotificationEvent } from './notification-events.ts';

/** One channel that wants an event, with the ticket filters the store applies to the ticket as changed. */
export interface OutboxTarget {
  channel: string;
  /** Only tickets of these categories (none given: any, including not yet triaged). */
  categories?: readonly Category[];
  priorities?: readonly Priority[];
  /** Only tickets that carry a callback URL (a helpdesk's ticket is told of every change there). */
  onlyWithCallback?: boolean;
}

export interface NotificationRouter {
  targets(event: NotificationEvent): OutboxTarget[];
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A notification row: what to send, where, and how its delivery stands. */
export interface OutboxEntry {
  id: string;
  ticketId: string;
  channel: string;
  event: NotificationEvent;
  /** The delivery id receivers see: the same on every attempt. */
  idempotencyKey: string;
  /** `{ ticket, details }`: the ticket as the change left it (snake_case columns) and what the event adds. */
  payload: { ticket: Record<string, unknown>; details: Record<string, unknown> };
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface NotificationOutbox {
  /** Takes up to `limit` pending rows that are due and not leased by a live claim, counting an attempt on each. */
  claim(options: { owner: string; limit: number; leaseMs: number }): Promise<OutboxEntry[]>;
  /** Marks a claimed row delivered; false when the claim was lost (another process took the row over). */
  delivered(id: string, owner: string): Promise<boolean>;
  /** Records a failed attempt: pending again at `retryAt`, or failed for good when `retryAt` is null. */
  failed(id: string, owner: string, error: string, retryAt: Date | null): Promise<boolean>;
  /** A ticket's notifications, oldest first. */
  listForTicket(ticketId: string): Promise<OutboxEntry[]>;
  /** Writes one `approval.expiring` row per channel for each pending approval expiring within `withinMs` (once each). */
  enqueueExpiringApprovals(options: { withinMs: number; targets: readonly OutboxTarget[] }): Promise<number>;
}

/** The wait before attempt `attempts + 1`: doubling from `baseMs`, capped at `maxMs`; null once `maxAttempts` were made. */
export function retryDelayMs(
  attempts: number,
  policy: { baseMs: number; maxMs: number; maxAttempts: number },
): number | null {
  if (attempts >= policy.maxAttempts) return null;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}
