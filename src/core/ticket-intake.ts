// Intake, shared by every surface (REST, MCP, CLI): admit, commit the ticket, then enqueue it, so an acknowledged
// ticket is never lost. Intake never waits for processing: the queue works through tickets with its own
// concurrency, and when the backlog (tickets queued or running, not yet settled) reaches its limit, intake refuses
// with BACKLOG_FULL (429, Retry-After) before anything is stored, so what is accepted is bounded and nothing
// accepted is dropped. An Idempotency-Key replays the first answer or refuses a different body.
// Secrets in the description and the context (a URL's user-info) are redacted before they are stored, so no
// later surface can show them; the idempotency hash is taken of the redacted request, so it keeps none either.
import { createHash } from 'node:crypto';
import { TwisterError } from './errors.ts';
import type { TicketQueue } from './events.ts';
import { redactCounted, redactValue } from './redaction.ts';
import type { Ticket, TicketRepository } from './ticket-repository.ts';
import type { TicketContext, TicketOrigin, TicketSource } from './ticket.ts';

export interface IntakeDeps {
  store: TicketRepository;
  queue: TicketQueue;
  isAccepting: () => boolean;
  /** Admission against the backlog limit; without one, intake admits everything. */
  backlog?: Backlog;
}

export interface SubmitInput extends TicketOrigin {
  description: string;
  context?: TicketContext;
  dryRun?: boolean;
}

const ORIGIN_FIELDS = ['title', 'externalId', 'reporter', 'labels', 'callbackUrl'] as const;

export interface SubmitOptions {
  requester: string;
  source: TicketSource;
  idempotencyKey?: string;
  /** The caller processes the ticket itself and answers when it is done (POST /orchestrate): it is not queued. */
  runByCaller?: boolean;
}

export interface Submitted {
  ticket: Ticket;
  created: boolean;
  /**
   * A ticket run by its caller counts in the backlog until the caller calls this (once its run is over);
   * for a queued ticket it does nothing (the queue counts it).
   */
  settle: () => void;
}

/** A place in the backlog, taken at admission and given back once the queue (or the caller) counts the ticket. */
export interface BacklogSlot {
  release(): void;
  /** The ticket is stored and queued (or handed to its caller): how long admission took goes to `onAdmitted`. */
  admitted(): void;
}

export interface Backlog {
  /** Takes a place, or throws BACKLOG_FULL when tickets queued, running and being admitted reach the limit. */
  admit(): BacklogSlot;
  /** Tickets queued, running or being admitted now. */
  size(): number;
}

export interface BacklogOptions {
  limit: number;
  /** What the queue counts: tickets waiting, running and waiting to be tried again. */
  queued: () => number;
  /** Told to clients refused for a full backlog (the Retry-After header). */
  retryAfterSeconds: number;
  /** Told how long each admission took, in ms, from `admit` to the ticket stored and queued. */
  onAdmitted?: (ms: number) => void;
}

/** Counts the queue plus the tickets between admission and enqueue, and those run by their caller. */
export function createBacklog(options: BacklogOptions): Backlog {
  let held = 0;
  const size = () => options.queued() + held;
  return {
    size,
    admit() {
      const now = size();
      if (now >= options.limit) {
        throw new TwisterError(
          'BACKLOG_FULL',
          `too many tickets waiting to be processed (${now}, limit ${options.limit}); try again in ${options.retryAfterSeconds} s`,
          {
            backlog: now,
            limit: options.limit,
            retryAfterSeconds: options.retryAfterSeconds,
          },
        );
      }
      held += 1;
      let released = false;
      const started = performance.now();
      return {
        release() {
          if (released) return;
          released = true;
          held -= 1;
        },
        admitted() {
          options.onAdmitted?.(performance.now() - started);
        },
      };
    },
  };
}

const NOTHING_HELD: BacklogSlot = { release: () => {}, admitted: () => {} };

function requestHash(input: SubmitInput): string {
  // The origin fields join the hash only when given, so keys stored before they existed still match their retries.
  const origin = ORIGIN_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]);
  const canonical = JSON.stringify([
    input.description,
    input.context ?? {},
    input.dryRun ?? false,
    ...(origin.length ? [origin] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function submitTicket(deps: IntakeDeps, input: SubmitInput, options: SubmitOptions): Promise<Submitted> {
  if (!deps.isAccepting()) throw new TwisterError('SHUTTING_DOWN', 'shutting down: not taking new tickets');
  const key = options.idempotencyKey;
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    throw new TwisterError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 200 characters');
  }
  const slot = deps.backlog?.admit() ?? NOTHING_HELD;
  try {
    const submitted = await admitted(deps, input, options, slot);
    slot.admitted();
    // Queued: the queue counts it now. Run by the caller: it holds its place until its run is over.
    if (options.runByCaller && submitted.created) return { ...submitted, settle: () => slot.release() };
    slot.release();
    return submitted;
  } catch (error) {
    slot.release();
    throw error;
  }
}

async function admitted(
  deps: IntakeDeps,
  input: SubmitInput,
  options: SubmitOptions,
  slot: BacklogSlot,
): Promise<Submitted> {
  const key = options.idempotencyKey;
  const redacted = redactCounted(input.description);
  const given = input.context ?? {};
  const context = redactValue(given);
  const hiddenInContext = Object.keys(given).filter(
    (field) => given[field as keyof TicketContext] !== context[field as keyof TicketContext],
  ).length;
  const title = input.title === undefined ? undefined : redactCounted(input.title);
  const origin = Object.fromEntries(
    ORIGIN_FIELDS.flatMap((f) => (input[f] === undefined ? [] : [[f, redactValue(input[f])]])),
  ) as TicketOrigin;
  const hash = key ? requestHash({ ...input, ...origin, description: redacted.text, context }) : undefined;
  const {
    ticket,
    created,
    requestHash: storedHash,
    heldBy,
  } = await deps.store.create({
    ...origin,
    description: redacted.text,
    context,
    dryRun: input.dryRun ?? false,
    requester: options.requester,
    source: options.source,
    ...(key ? { idempotencyKey: key, requestHash: hash! } : {}),
  });
  const settle = () => {};
  // An open ticket of the same source already holds this external id: the caller adds to it instead.
  if (!created && heldBy === 'external_id') return { ticket, created: false, settle };
  if (!created) {
    if (storedHash !== hash) {
      throw new TwisterError(
        'IDEMPOTENCY_CONFLICT',
        `Idempotency-Key ${key} was used for a different request (ticket ${ticket.id})`,
        { ticketId: ticket.id },
      );
    }
    return { ticket, created: false, settle };
  }
  const hidden = redacted.count + hiddenInContext + (title?.count ?? 0);
  if (hidden > 0) {
    const details = { redacted: hidden, ...(hiddenInContext > 0 ? { contextFields: hiddenInContext } : {}) };
    await deps.store.apply(ticket.id, {
      audit: [{ ticketId: ticket.id, actor: options.requester, action: 'ticket.redacted', details }],
    });
  }
  if (!options.runByCaller) {
    // The queue counts the ticket from the call on: its place here is given up in the same tick, so it is never
    // counted twice (which would refuse a client below the limit) nor dropped from the count.
    const queued = deps.queue.enqueue(ticket.id, { created: true });
    slot.release();
    await queued;
  }
  return { ticket, created: true, settle };
}
