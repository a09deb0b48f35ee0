// Tickets: their states, the transitions between them, and the shapes the analysis and plan take.
import { z } from 'zod';
import { RISKS } from './capability.ts';
import { TwisterError } from './errors.ts';

export const TICKET_STATUSES = [
  'new', 'triaged', 'planned', 'awaiting_approval', 'executing', 'verifying', 'resolved', 'escalated', 'failed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<TicketStatus> = new Set(['resolved', 'escalated', 'failed']);

// Escalation is reachable from every working state: a human can always take over. A human may also close a
// ticket that is not executing, and resolve one that was escalated to them. Final states are final for automation.
const transitions: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['triaged', 'resolved', 'escalated', 'failed'],
  triaged: ['planned', 'resolved', 'escalated', 'failed'],
  planned: ['awaiting_approval', 'executing', 'resolved', 'escalated', 'failed'],
  awaiting_approval: ['executing', 'resolved', 'escalated', 'failed'],
  executing: ['verifying', 'escalated', 'failed'],
  verifying: ['resolved', 'escalated', 'failed'],
  resolved: [],
  escalated: ['resolved'],
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
  'database', 'network', 'security', 'application', 'hardware', 'access', 'storage', 'performance', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const URGENCIES = ['high', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const TICKET_SOURCES = ['api', 'cli', 'mcp', 'orchestrate'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

const name = z.string().trim().min(1).max(200);

/** Where to act. Given by the submitter, or extracted from the text by the analysis. */
export const ticketContextSchema = z.strictObject({
  deviceId: name.optional(),
  serviceName: name.optional(),
  url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
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
  found: Array<{ kind: 'device' | 'service' | 'url' | 'host' | 'ip'; value: string; source: 'given' | 'text'; port?: number; portStated?: boolean; match?: EntityMatch }>;
  /** Mentions that fit several services or devices equally well: none of them was chosen (never a guess). */
  ambiguous?: Array<{ kind: 'service' | 'device'; mention: string; candidates: string[] }>;
}

export interface Analysis {
  category: Category;
  priority: Priority;
  sentiment: Sentiment;
  urgency: Urgency;
  confidence: number;
  summary: string;
  /** Why: the cues that fired, per analyser. */
  evidence: { sentiment: string[]; category: string[]; priority: string[] };
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
}
