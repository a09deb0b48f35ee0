// What the store writes, with secrets removed first: ticket fields, step records, execution summaries and
// every audit detail. The store applies this on each write, so no caller can put a secret in the database
// (and from there in the API, the audit view or a prompt) by forgetting to redact.
// The plan is left as it is: it is what runs (and what approvals are hashed over), it is made from the redacted
// ticket, and a runbook's parameters given by an operator must reach the capability unchanged.
import { redactSecrets, redactValue } from '../redaction.ts';
import type { AuditEntry, NewTicket, StepClaim, StepRecord, TicketChange, TicketPatch } from '../ticket-repository.ts';

const redactText = <T extends string | null | undefined>(text: T): T =>
  typeof text === 'string' ? (redactSecrets(text) as T) : text;

export function redactAuditEntries(entries: AuditEntry[]): AuditEntry[] {
  return entries.map((entry) => (entry.details ? { ...entry, details: redactValue(entry.details) } : entry));
}

function redactPatch(patch: TicketPatch): TicketPatch {
  const out: TicketPatch = { ...patch };
  if (patch.analysis) out.analysis = redactValue(patch.analysis);
  if (patch.context) out.context = redactValue(patch.context);
  if (patch.resolutionNote !== undefined) out.resolutionNote = redactText(patch.resolutionNote);
  if (patch.escalationReason !== undefined) out.escalationReason = redactText(patch.escalationReason);
  if (patch.title !== undefined) out.title = redactText(patch.title);
  if (patch.labels !== undefined) out.labels = redactValue(patch.labels);
  // The handoff quotes the ticket's first sentence: it loses its secrets like the reason it sits beside.
  if (typeof patch.handoffSummary === 'string') out.handoffSummary = redactText(patch.handoffSummary);
  return out;
}

function redactStep<S extends StepClaim | StepRecord>(step: S): S {
  const out = { ...step, params: redactValue(step.params) };
  if ('output' in step) Object.assign(out, { output: redactValue(step.output), error: redactValue(step.error) });
  return out;
}

export function redactTicketChange(change: TicketChange): TicketChange {
  const out: TicketChange = { ...change, audit: redactAuditEntries(change.audit) };
  if (change.patch) out.patch = redactPatch(change.patch);
  if (change.steps) out.steps = change.steps.map(redactStep);
  if (change.claimStep) out.claimStep = redactStep(change.claimStep);
  if (change.finishExecution)
    out.finishExecution = { ...change.finishExecution, summary: redactSecrets(change.finishExecution.summary) };
  return out;
}

export function redactNewTicket(input: NewTicket): NewTicket {
  const out: NewTicket = {
    ...input,
    description: redactSecrets(input.description),
    context: redactValue(input.context),
  };
  if (input.title !== undefined) out.title = redactSecrets(input.title);
  if (input.reporter !== undefined) out.reporter = redactSecrets(input.reporter);
  if (input.labels !== undefined) out.labels = redactValue(input.labels);
  // A callback URL's user-info is a credential: it is kept out of the store like a context URL's.
  if (input.callbackUrl !== undefined) out.callbackUrl = redactValue(input.callbackUrl);
  return out;
}

export function redactComment<C extends { body: string; author: string }>(comment: C): C {
  return { ...comment, body: redactSecrets(comment.body), author: redactSecrets(comment.author) };
}
