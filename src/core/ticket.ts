// Tickets: their states, the transitions between them, and the shapes the analysis and plan take.
import { z } from 'zod';
import { RISKS } from './capability.ts';
import { TwisterError } from './errors.ts';

export const TICKET_STATUSES = [
  'new',
  'triaged',
  'diagnosing',
  'planned',
  'awaiting_approval',
  'executing',
  'verifying',
  'no_fault_found',
  'resolved',
  'escalated',
  'failed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<TicketStatus> = new Set(['resolved', 'escalated', 'failed']);
/** Where the loop stops working on its own: a final state, or a diagnosis that found nothing and asks the requester. */
export const SETTLED_STATUSES: ReadonlySet<TicketStatus> = new Set([...FINAL_STATUSES, 'no_fault_found']);

// Escalation is reachable from every working state: a human can always take over. A human may also close a
// ticket that is not executing, and resolve one that was escalated to them. `no_fault_found` waits for the
// requester: confirmed → resolved, reopened (or no answer in time) → escalated. A resolved ticket can be reopened
// (→ escalated, to a human). A person may send an escalated, no-fault-found or resolved ticket through the loop
// again (→ new: a rerun, once the cause outside it was dealt with). Otherwise final states are final for automation.
const transitions: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['triaged', 'resolved', 'escalated', 'failed'],
  triaged: ['diagnosing', 'planned', 'resolved', 'escalated', 'failed'],
  diagnosing: ['planned', 'awaiting_approval', 'executing', 'no_fault_found', 'escalated', 'failed'],
  planned: ['awaiting_approval', 'executing', 'resolved', 'escalated', 'failed'],
  awaiting_approval: ['executing', 'resolved', 'escalated', 'failed'],
  executing: ['verifying', 'escalated', 'failed'],
  // A remedy that did not hold (and was rolled back) may be followed by the next one that addresses the fault.
  verifying: ['resolved', 'escalated', 'failed', 'executing', 'awaiting_approval', 'planned'],
  no_fault_found: ['resolved', 'escalated', 'new'],
  resolved: ['escalated', 'new'],
  escalated: ['resolved', 'new'],
  failed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) {
    throw new TwisterError('INVALID_TRANSITION', `a ticket cannot move from ${from} to ${to}`, { from, to });
  }
}

/** Checks every hop of from → via… → to; one write may take a ticket through states that follow at once. */
export function assertTransitionPath(from: TicketStatus, via: readonly TicketStatus[], to: TicketStatus): void {
  const hops = [from, ...via, to];
  for (let i = 1; i < hops.length; i += 1) assertTransition(hops[i - 1]!, hops[i]!);
}

export const CATEGORIES = [
  'database',
  'network',
  'security',
  'application',
  'hardware',
  'access',
  'storage',
  'performance',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * What the requester wants, beside what the ticket is about (the category). Only `incident` (something broke)
 * leads to diagnostics without a named system; the rest go to a human with routing unless they name one of ours.
 */
export const INTENTS = [
  'incident',
  'service_request',
  'access_request',
  'question',
  'billing',
  'order',
  'feature_request',
  'sales',
  'complaint',
  'other',
] as const;
export type Intent = (typeof INTENTS)[number];
/** Intents that are not about a technical fault: never diagnosed, handed to a human with their team. */
export const NON_TECHNICAL_INTENTS: ReadonlySet<Intent> = new Set([
  'billing',
  'order',
  'feature_request',
  'sales',
  'complaint',
  'other',
]);

/**
 * Whose system the ticket is about: ours (a declared service, device, host or URL, or this platform's servers),
 * the requester's own equipment (their printer, headset, laptop, phone, NAS), or nothing it names.
 */
export const SCOPES = ['estate', 'customer_equipment', 'unnamed'] as const;
export type Scope = (typeof SCOPES)[number];

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const URGENCIES = ['high', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const TICKET_SOURCES = ['api', 'cli', 'mcp', 'orchestrate', 'alertmanager', 'email'] as const;
/** Which door a ticket came in by; a helpdesk webhook is `webhook:<its source name>`. */
export type TicketSource = (typeof TICKET_SOURCES)[number] | `webhook:${string}`;
export const WEBHOOK_SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Whether a ticket is still open for its outside identity (`externalId`): a repeat updates it instead of opening another. */
export const CLOSED_STATUSES: ReadonlySet<TicketStatus> = new Set(['resolved', 'failed']);

/** Bounds of the fields a ticket carries from where it came from (helpdesk, alert, mail). */
export const TICKET_LIMITS = {
  title: 300,
  externalId: 200,
  reporter: 200,
  labels: 20,
  label: 100,
  assignee: 200,
  comment: 20_000,
  callbackUrl: 2048,
} as const;
const label = z.string().trim().min(1).max(TICKET_LIMITS.label);
/** The fields a submitter may give besides the description; every door validates them with this. */
export const ticketOriginSchema = z.strictObject({
  title: z.string().trim().min(1).max(TICKET_LIMITS.title).optional(),
  externalId: z.string().trim().min(1).max(TICKET_LIMITS.externalId).optional(),
  reporter: z.string().trim().min(1).max(TICKET_LIMITS.reporter).optional(),
  labels: z.array(label).max(TICKET_LIMITS.labels).optional(),
  // Only http(s); the notification sender passes it through the outbound URL guard before each call.
  callbackUrl: z
    .url({ protocol: /^https?$/ })
    .max(TICKET_LIMITS.callbackUrl)
    .optional(),
});
export type TicketOrigin = z.infer<typeof ticketOriginSchema>;

const name = z.string().trim().min(1).max(200);

/** Where to act. Given by the submitter, or extracted from the text by the analysis. */
export const ticketContextSchema = z.strictObject({
  deviceId: name.optional(),
  serviceName: name.optional(),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  /** A priority the source states (an alert's severity): the analysis keeps it instead of deciding one. */
  priority: z.enum(PRIORITIES).optional(),
});
export type TicketContext = z.infer<typeof ticketContextSchema>;

/** How a service or device was recognised: its name, an alias, a near spelling, its description, or its address. */
export type EntityMatch = 'exact' | 'alias' | 'fuzzy' | 'description' | 'address';

export interface ExtractedContext extends TicketContext {
  /**
   * What the analysis found in the text, and where it came from. Hosts, IPs and URLs carry their port: the one
   * written (`portStated`) or, for a URL that states none, its scheme's (443, 80). Services and devices say how
   * they were recognised.
   */
  found: Array<{
    kind: 'device' | 'service' | 'url' | 'host' | 'ip';
    value: string;
    source: 'given' | 'text';
    port?: number;
    portStated?: boolean;
    match?: EntityMatch;
  }>;
  /** Mentions that fit several services or devices equally well: none of them was chosen (never a guess). */
  ambiguous?: Array<{ kind: 'service' | 'device'; mention: string; candidates: string[] }>;
}

export interface Analysis {
  category: Category;
  /** What the requester wants (absent on analyses stored before intents existed). */
  intent?: Intent;
  /** Whose system it is about (absent on analyses stored before scopes existed). */
  scope?: Scope;
  /** The team routing chose, and the person when its rule names one. */
  team?: string;
  assignee?: string;
  priority: Priority;
  sentiment: Sentiment;
  urgency: Urgency;
  confidence: number;
  summary: string;
  /** Why: the cues that fired, per analyser. */
  evidence: {
    sentiment: string[];
    category: string[];
    priority: string[];
    intent?: string[];
    scope?: string[];
    routing?: string[];
  };
  context: ExtractedContext;
  suggestedAgents: string[];
  /** Which path made the analysis: the LLM when configured, healthy and sure; the rules otherwise. */
  path: 'rules' | 'llm';
  /** Why the rules decided although an LLM is configured (unhealthy, timeout, invalid answer, low confidence). */
  fallbackReason?: string;
  /** Warnings for a human, e.g. `prompt_injection_suspected`. */
  flags?: string[];
}

// `backup` steps run before a change; `rollback` restores them when verification fails, `re-verify` checks again.
export const STEP_PHASES = ['diagnose', 'backup', 'fix', 'verify', 'rollback', 're-verify'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

export const POLICY_DECISIONS = ['run', 'needs_approval', 'refuse'] as const;
export type PolicyDecision = (typeof POLICY_DECISIONS)[number];

export interface Condition {
  /** Dot path into the step output, e.g. `healthy` or `disk.0.usePercent`. */
  path: string;
  op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
  value: string | number | boolean;
}

export interface PlannedStep {
  index: number;
  phase: StepPhase;
  capability: string;
  agent: string;
  params: Record<string, unknown>;
  risk: (typeof RISKS)[number];
  description: string;
  /** For verify steps: every condition must hold for the fix to count as verified. */
  expect?: Condition[];
  decision: PolicyDecision;
  decisionReason: string;
  /** The runbook step's id: later steps read its output through `{{steps.<ref>.…}}`. */
  ref?: string;
  /** Runs only when this holds of earlier outputs (`steps.<ref>.…`); skipped otherwise. */
  when?: Condition;
  /** On a diagnosis step: the runbook steps it stands for (a check shared by several hypotheses is planned once). */
  sources?: Array<{ runbookId: string; stepId?: string }>;
  /** On a fix step: the confirmed findings it addresses. */
  addresses?: string[];
  /** On a verify step: findings whose rule is evaluated again on this step's output; each must be gone. */
  rechecks?: Array<{ runbookId: string; findingId: string; target: string }>;
}

export interface Plan {
  runbookId: string | null;
  title: string;
  steps: PlannedStep[];
  /** Why nothing safe can be done, when that is the case. */
  escalation?: string;
  /** The runbook's parameters as filled for this ticket. */
  parameters?: Record<string, unknown>;
  /** Runbooks of the ticket's category that did not fit, and why (shown when nothing fits). */
  rejected?: Array<{ runbookId: string; reason: string }>;
  /** Who chose the runbook: the LLM (then filled and checked by the rules planner) or the rules alone. */
  path?: 'rules' | 'llm';
  /** Why the rules chose although an LLM is configured (unhealthy, timeout, invalid choice, low confidence). */
  fallbackReason?: string;
  /**
   * `diagnosis`: the read-only checks of every runbook that fits the ticket's target (the hypotheses), run first;
   * `remedy`: the fix of a confirmed finding, its backups and verification. Absent: a single-runbook plan (dry run).
   */
  stage?: 'diagnosis' | 'remedy';
  /** On a diagnosis plan: the runbooks whose checks it runs, most likely first. */
  hypotheses?: Array<{ runbookId: string; score: number }>;
  /** On a remedy plan: the findings diagnosis confirmed (what the approver sees, what verification re-checks). */
  findings?: Finding[];
  /** On a remedy plan: diagnosis outputs its steps read (`{{steps.<id>}}` and `when`), by the runbook's step id. */
  bound?: Record<string, unknown>;
  /** On a remedy plan: the other runbooks whose fix addresses a confirmed fault, tried in order when this one does not hold. */
  alternatives?: string[];
  /** On a remedy plan: whether a failed verification restores the backups (`rollback`) or keeps what improved (`keep`). */
  onVerifyFailure?: 'rollback' | 'keep';
}

/**
 * How a ticket ended. Only `verified_fix` is autonomous resolution; `assisted_fix` needed an approval;
 * `confirmed_no_fault`: nothing was found and the requester agreed; the rest went to a human.
 */
export const TICKET_OUTCOMES = [
  'verified_fix',
  'assisted_fix',
  'no_fault_found',
  'confirmed_no_fault',
  'partial_fix',
  'fix_failed',
  'handed_over',
  'reopened',
  'closed_by_human',
] as const;
export type TicketOutcome = (typeof TICKET_OUTCOMES)[number];

export const FINDING_STATES = ['confirmed', 'fixed', 'remains'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export const findingSchema = z.object({
  id: z.string(),
  target: z.string(),
  state: z.enum(FINDING_STATES),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  runbookId: z.string(),
  check: z.string(),
});

/** A typed fact diagnosis established, with its figures: what a fix addresses and verification re-checks. */
export interface Finding {
  /** From the catalogue (src/core/findings), e.g. `postgres.lock_contention`. */
  id: string;
  /** What it is about: a service, host:port or device. */
  target: string;
  state: FindingState;
  /** Plain words with the figures, e.g. "3 sessions wait on locks held by pid 4242 (idle in transaction for 95 s)". */
  summary: string;
  evidence: Record<string, unknown>;
  /** The runbook whose check saw it, and the check. */
  runbookId: string;
  check: string;
}
