// Intake, shared by every surface (REST, MCP, CLI): commit the ticket first, then enqueue it, so an
// acknowledged ticket is never lost. An Idempotency-Key replays the first answer or refuses a different body.
// Secrets in the description are redacted before it is stored, so no later surface can show them.
import { createHash } from 'node:crypto';
import { TwisterError } from './errors.ts';
import type { TicketQueue } from './events.ts';
import { redactCounted } from './redaction.ts';
import type { Ticket, TicketRepository } from './ticket-repository.ts';
import type { TicketContext, TicketSource } from './ticket.ts';

export interface IntakeDeps {
  store: TicketRepository;
  queue: TicketQueue;
  isAccepting: () => boolean;
}

export interface SubmitInput {
  description: string;
  context?: TicketContext;
  dryRun?: boolean;
}

export interface SubmitOptions {
  requester: string;
  source: TicketSource;
  idempotencyKey?: string;
  /** The caller processes the ticket itself and answers when it is done (POST /orchestrate): it is not queued. */
  runByCaller?: boolean;
}

function requestHash(input: SubmitInput): string {
  const canonical = JSON.stringify([input.description, input.context ?? {}, input.dryRun ?? false]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function submitTicket(deps: IntakeDeps, input: SubmitInput, options: SubmitOptions): Promise<{ ticket: Ticket; created: boolean }> {
  if (!deps.isAccepting()) throw new TwisterError('SHUTTING_DOWN', 'shutting down: not taking new tickets');
  const key = options.idempotencyKey;
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    throw new TwisterError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 200 characters');
  }
  const hash = key ? requestHash(input) : undefined;
  const redacted = redactCounted(input.description);
  const { ticket, created, requestHash: storedHash } = await deps.store.create({
    description: redacted.text,
    context: input.context ?? {},
    dryRun: input.dryRun ?? false,
    requester: options.requester,
    source: options.source,
    ...(key ? { idempotencyKey: key, requestHash: hash! } : {}),
  });
  if (!created) {
    if (storedHash !== hash) {
      throw new TwisterError('IDEMPOTENCY_CONFLICT', `Idempotency-Key ${key} was used for a different request (ticket ${ticket.id})`, { ticketId: ticket.id });
    }
    return { ticket, created: false };
  }
  if (redacted.count > 0) {
    await deps.store.apply(ticket.id, { audit: [{ ticketId: ticket.id, actor: options.requester, action: 'ticket.redacted', details: { redacted: redacted.count } }] });
  }
  if (!options.runByCaller) await deps.queue.enqueue(ticket.id);
  return { ticket, created: true };
}
