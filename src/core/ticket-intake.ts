// Intake, shared by every surface (REST, MCP, CLI): commit the ticket first, then enqueue it, so an
// acknowledged ticket is never lost. An Idempotency-Key replays the first answer or refuses a different body.
// Secrets in the description and the context (a URL's user-info) are redacted before they are stored, so no
// later surface can show them; the idempotency hash is taken of the redacted request, so it keeps none either.
import { createHash } from 'node:crypto';
import { TwisterError } from './errors.ts';
import type { TicketQueue } from './events.ts';
import { redactCounted, redactValue } from './redaction.ts';
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
  const redacted = redactCounted(input.description);
  const given = input.context ?? {};
  const context = redactValue(given);
  const hiddenInContext = Object.keys(given).filter((field) => given[field as keyof TicketContext] !== context[field as keyof TicketContext]).length;
  const hash = key ? requestHash({ ...input, description: redacted.text, context }) : undefined;
  const { ticket, created, requestHash: storedHash } = await deps.store.create({
    description: redacted.text,
    context,
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
  if (redacted.count + hiddenInContext > 0) {
    const details = { redacted: redacted.count + hiddenInContext, ...(hiddenInContext > 0 ? { contextFields: hiddenInContext } : {}) };
    await deps.store.apply(ticket.id, { audit: [{ ticketId: ticket.id, actor: options.requester, action: 'ticket.redacted', details }] });
  }
  if (!options.runByCaller) await deps.queue.enqueue(ticket.id);
  return { ticket, created: true };
}
