// The orchestrator's writes to the store. Each carries this process's lease on the ticket (so a second process
// cannot write while it holds it), and a write that meets a store outage is tried again for a while: the result
// of a step that already ran is not thrown away because the database blinked.
import { TwisterError, isTwisterError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { AuditEntry, Ticket, TicketChange, TicketRepository } from './ticket-repository.ts';

export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_STORE_WAIT_MS = 30_000;

export interface LeasedWritesOptions {
  store: TicketRepository;
  logger: Logger;
  /** Who holds the lease: one id per orchestrator. */
  owner: string;
  leaseMs: number;
  /** How long a write waits for the store to come back before the error goes to the caller (and the queue). */
  storeWaitMs: number;
}

export class LeasedWrites {
  private readonly pending = new Map<string, AuditEntry[]>();

  constructor(private readonly options: LeasedWritesOptions) {}

  get owner(): string {
    return this.options.owner;
  }

  /** Audit rows written with the next write of this ticket (so they exist only if that write does). */
  attachAudit(ticketId: string, entries: AuditEntry[]): void {
    this.pending.set(ticketId, [...(this.pending.get(ticketId) ?? []), ...entries]);
  }

  forget(ticketId: string): void {
    this.pending.delete(ticketId);
  }

  /** Applies the change under the lease; `release` gives the lease up (the ticket waits, or is done). */
  async apply(ticketId: string, change: TicketChange, release = false): Promise<Ticket> {
    const pending = this.pending.get(ticketId) ?? [];
    const full: TicketChange = {
      ...change,
      lease: { owner: this.options.owner, ms: this.options.leaseMs, ...(release ? { release: true } : {}) },
      audit: [...pending, ...change.audit],
    };
    const ticket = await this.waitingOutOutages(ticketId, () => this.options.store.apply(ticketId, full));
    this.pending.delete(ticketId);
    return ticket;
  }

  renew(ticketId: string): Promise<boolean> {
    return this.options.store.renewLease(ticketId, this.options.owner, this.options.leaseMs);
  }

  private async waitingOutOutages(ticketId: string, write: () => Promise<Ticket>): Promise<Ticket> {
    const deadline = Date.now() + this.options.storeWaitMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        // The connection dropped after a try that may have committed: what is stored now decides, so read it again.
        if (
          attempt > 1 &&
          isTwisterError(error) &&
          (error.code === 'INVALID_TRANSITION' || error.code === 'TICKET_BUSY')
        ) {
          throw new TwisterError(
            'TICKET_BUSY',
            `a write of ticket ${ticketId} may have been applied before the store connection dropped; it is read again`,
            { ticketId },
            { cause: error },
          );
        }
        const left = deadline - Date.now();
        if (!isTwisterError(error) || error.code !== 'STORE_UNAVAILABLE' || left <= 0) throw error;
        const delay = Math.min(left, 100 * 2 ** Math.min(attempt - 1, 5));
        this.options.logger.warn(
          { ticketId, attempt, retryInMs: delay },
          'the store is unavailable; the write is tried again',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
