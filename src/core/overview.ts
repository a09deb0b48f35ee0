// How tickets ended, counted by the store: what the console's overview shows (verified fixes, escalations, no
// fault found, approvals waiting, time to resolution).
import type { TicketOutcome, TicketStatus } from './ticket.ts';

export interface TicketOverview {
  tickets: number;
  byStatus: Partial<Record<TicketStatus, number>>;
  byOutcome: Partial<Record<TicketOutcome, number>>;
  approvalsPending: number;
  /** From creation to `resolved`, over resolved tickets. */
  resolution: { count: number; medianMs: number | null; p90Ms: number | null };
}

export interface OverviewSource {
  overview(): Promise<TicketOverview>;
}
