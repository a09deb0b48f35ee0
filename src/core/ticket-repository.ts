// The store port for tickets, executions, steps and the audit trail. One `apply` call is one transaction:
// the orchestrator batches the writes of a phase into it.
import type { ErrorInfo } from './errors.ts';
import {
  SETTLED_STATUSES,
  type Intent,
  type Analysis,
  type Finding,
  type Plan,
  type Priority,
  type Category,
  type TicketContext,
  type TicketOutcome,
  type TicketSource,
  type TicketStatus,
  type StepPhase,
} from './ticket.ts';
import type { Risk } from './capability.ts';
import type { Approval, ApprovalFilter, NewApproval } from './approval.ts';

export interface Ticket {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: TicketStatus;
  description: string;
  requester: string;
  source: TicketSource;
  dryRun: boolean;
  /** What the submitter gave; the analysis adds what it extracted. */
  context: TicketContext;
  analysis: Analysis | null;
  category: Category | null;
  priority: Priority | null;
  resolutionNote: string | null;
  escalationReason: string | null;
  idempotencyKey: string | null;
  /** What diagnosis found, with figures, and what became of each finding. */
  findings: Finding[];
  /** How the ticket ended, once it has (see TICKET_OUTCOMES). */
  outcome: TicketOutcome | null;
  /** A short subject (a helpdesk title, an alert name, a mail subject). */
  title: string | null;
  /** The ticket's id where it came from (an alert fingerprint, a helpdesk ticket number); one open ticket per source and id. */
  externalId: string | null;
  /** The person who reported it there, when not the API key that submitted it (`requester`). */
  reporter: string | null;
  labels: string[];
  /** The human the ticket is handed to. */
  assignee: string | null;
  resolvedAt: string | null;
  /** Who resolved it: a person's name, or null when the loop resolved it on its own. */
  resolvedBy: string | null;
  /** Told of every state change (a helpdesk's callback); http(s), checked by the outbound URL guard when called. */
  callbackUrl: string | null;
  /** Triage: what the requester wants, the team routing chose, and the plain-words handoff for the person who takes it. */
  intent?: Intent | null;
  team?: string | null;
  handoffSummary?: string | null;
}

/** Words on a ticket from a person (console, CLI, MCP, an e-mail reply, a helpdesk update). */
export interface Comment {
  id: number;
  ticketId: string;
  author: string;
  body: string;
  /** Where it came from: `api`, `cli`, `mcp`, `email`, `alertmanager`, `webhook:<name>`. */
  source: string;
  /** Its id where it came from (a Message-ID): the same one again adds nothing. */
  externalId: string | null;
  createdAt: string;
}

export interface NewComment {
  author: string;
  body: string;
  source: string;
  externalId?: string;
  /** Audit rows written with it (the comment's own `ticket.commented` row is added by the store). */
  audit?: AuditEntry[];
}

export interface NewTicket {
  description: string;
  requester: string;
  source: TicketSource;
  dryRun: boolean;
  context: TicketContext;
  idempotencyKey?: string;
  /** Hash of the request that created it, to tell a retry from a conflicting reuse of the key. */
  requestHash?: string;
  title?: string;
  externalId?: string;
  reporter?: string;
  labels?: string[];
  callbackUrl?: string;
}

export interface Execution {
  id: string;
  ticketId: string;
  createdAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  plan: Plan;
  success: boolean | null;
  successRate: number | null;
  summary: string | null;
}

export type StepStatus = 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  executionId: string;
  ticketId: string;
  index: number;
  phase: StepPhase;
  agent: string;
  capability: string;
  params: Record<string, unknown>;
  risk: Risk;
  status: StepStatus;
  output: unknown;
  error: ErrorInfo | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** How often the capability was called for this step (retries, a re-run after an interruption); 1 when omitted. */
  attempts?: number;
}

/** A step written as `running` before its capability was called, with no result yet: it is running, or its process stopped. */
export interface RunningStep extends StepClaim {
  /** `executionId:index`: the capability gets it as `ctx.idempotencyKey` on every attempt. */
  idempotencyKey: string;
  attempts: number;
}

/** Where the latest execution of a ticket stands: what a resumed run starts from. */
export interface ExecutionProgress {
  execution: Execution;
  /** Steps with a result, by index. */
  steps: StepRecord[];
  /** Steps claimed whose result was never written. */
  running: RunningStep[];
  /** The orchestrator lease on the ticket; `live` when its holder may still be working on it. */
  lease: { owner: string | null; until: string | null; live: boolean };
}

/** The step to write as `running` right before its capability is called (its idempotency key must be new). */
export type StepClaim = Omit<StepRecord, 'status' | 'output' | 'error' | 'finishedAt' | 'durationMs' | 'attempts'>;

/** The idempotency key of a step: unique in the store, passed to capabilities, the same on every attempt. */
export function stepKey(executionId: string, index: number): string {
  return `${executionId}:${index}`;
}

export interface AuditEntry {
  ticketId: string | null;
  actor: string;
  /** `ticket.created`, `ticket.status_changed`, `step.finished`, `capability.invoked`, ... */
  action: string;
  fromStatus?: TicketStatus | null;
  toStatus?: TicketStatus | null;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<Omit<AuditEntry, 'details'>> {
  id: number;
  at: string;
  details: Record<string, unknown>;
}

export interface TicketDetail {
  ticket: Ticket;
  executions: Execution[];
  steps: StepRecord[];
  audit: AuditEvent[];
  comments: Comment[];
}

/**
 * Where processing stops for now, which ends a wait on the ticket (an event stream, an MCP call that waits): a
 * final state, no fault found, a wait for a person's approval (nothing more happens until someone decides), or a
 * dry run whose plan has been written.
 */
export function isSettled(detail: TicketDetail): boolean {
  if (SETTLED_STATUSES.has(detail.ticket.status) || detail.ticket.status === 'awaiting_approval') return true;
  const last = detail.executions.at(-1);
  return detail.ticket.dryRun && detail.ticket.status === 'planned' && last?.finishedAt != null;
}

export interface TicketPatch {
  analysis?: Analysis;
  category?: Category;
  priority?: Priority;
  context?: TicketContext;
  resolutionNote?: string;
  escalationReason?: string;
  findings?: Finding[];
  /** null: the ticket has not ended (again), e.g. when it is run again. */
  outcome?: TicketOutcome | null;
  title?: string;
  labels?: string[];
  /** null hands the ticket back to nobody. */
  assignee?: string | null;
  /** With a transition to `resolved`: the person who resolved it (resolvedAt is set by the store on that move). */
  resolvedBy?: string;
  intent?: Intent;
  team?: string;
  /** null clears it (a ticket the loop went on to fix needs no handoff). */
  handoffSummary?: string | null;
}

/**
 * Everything one transaction writes. `transition` is compare-and-swap on the current status; `via` lists the
 * states passed through on the way (each hop must be allowed, and each has its own audit row in `audit`).
 */
export interface TicketChange {
  transition?: { from: TicketStatus; to: TicketStatus; via?: TicketStatus[] };
  /** Compare-and-swap on the status without moving it: INVALID_TRANSITION when it moved. */
  expectStatus?: TicketStatus;
  /**
   * The orchestrator's lease on the ticket: the change is written only when nobody else holds a live lease
   * (TICKET_BUSY otherwise), and it takes or renews the lease for `ms`, or gives it up with `release`.
   */
  lease?: { owner: string; ms: number; release?: boolean };
  /** A step to write as `running` before it runs; TICKET_BUSY when its idempotency key was claimed already. */
  claimStep?: StepClaim;
  /** A running step run again after an interruption: one more attempt is counted on its row. */
  retakeStep?: { executionId: string; index: number };
  patch?: TicketPatch;
  newExecution?: { id: string; plan: Plan; dryRun: boolean };
  steps?: StepRecord[];
  finishExecution?: { id: string; success: boolean; successRate: number; summary: string };
  /** Pending approvals for steps of the plan (of `newExecution` or an existing execution). */
  newApprovals?: NewApproval[];
  audit: AuditEntry[];
}

export interface TicketFilter {
  status?: TicketStatus;
  category?: Category;
  priority?: Priority;
  source?: string;
  externalId?: string;
  assignee?: string;
  /** Tickets that carry this label. */
  label?: string;
  limit: number;
  offset: number;
}

export interface AuditFilter {
  /** A ticket id, or null for rows not tied to a ticket; omitted for all. */
  ticketId?: string | null;
  actor?: string;
  action?: string;
  /** Rows with an id below this one (paging backwards from the newest). */
  beforeId?: number;
  limit: number;
}

export interface TicketGroupCount {
  status: TicketStatus;
  category: Category | null;
  priority: Priority | null;
  count: number;
}

export interface TicketRepository {
  /** Inserts the ticket and its `ticket.created` audit row; with a known idempotency key, returns the existing one. */
  /**
   * Inserts the ticket and its `ticket.created` audit row. With a known idempotency key, or an external id that
   * an open ticket of the same source holds, returns that ticket instead (`created: false`).
   */
  create(input: NewTicket): Promise<{
    ticket: Ticket;
    created: boolean;
    requestHash: string | null;
    heldBy?: 'idempotency_key' | 'external_id';
  }>;
  /** The open ticket (not resolved or failed) of this source with this external id; with `includeClosed`, the newest of any status. */
  findByExternalId(source: string, externalId: string, options?: { includeClosed?: boolean }): Promise<Ticket | null>;
  /** Adds a comment and its audit row; null when a comment with the same external id is there already. */
  addComment(ticketId: string, comment: NewComment): Promise<Comment | null>;
  listComments(ticketId: string): Promise<Comment[]>;
  get(id: string): Promise<Ticket | null>;
  /** The ticket with its executions, finished steps and audit trail. */
  getDetail(id: string): Promise<TicketDetail | null>;
  /** The latest execution with every step row written for it, running ones included; null without one. */
  getProgress(ticketId: string): Promise<ExecutionProgress | null>;
  /** Extends the lease `owner` holds on the ticket by `ms`; false when it holds none (another process took it over). */
  renewLease(ticketId: string, owner: string, ms: number): Promise<boolean>;
  list(filter: TicketFilter): Promise<{ items: Ticket[]; total: number }>;
  /**
   * Applies the change in one transaction and returns the ticket after it. Throws INVALID_TRANSITION when
   * `transition.from` is not the current status (someone else moved it), TICKET_NOT_FOUND when it is gone,
   * TICKET_BUSY when another process holds the lease or claimed the step first.
   */
  apply(ticketId: string, change: TicketChange): Promise<Ticket>;
  /** Audit rows not tied to a ticket (direct capability calls). */
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Audit rows, newest first. */
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>;
  /** Tickets not in a final state, oldest first: for recovery at start. */
  listUnfinished(limit: number): Promise<Ticket[]>;
  /**
   * Ids of tickets a worker should take up, least recently changed first: new, triaged, planned (not a dry run),
   * executing or verifying with no live lease, and awaiting_approval once every approval is given. Only those
   * unchanged for `idleMs`. For the reconciler, which puts them back on the queue.
   */
  listAwaitingWork(options: { limit: number; idleMs: number }): Promise<string[]>;
  countByStatus(): Promise<Record<string, number>>;
  /** Ticket counts per status, category and priority (null before triage); only groups that have tickets. */
  countByGroup(): Promise<TicketGroupCount[]>;
  ping(): Promise<void>;
  listApprovals(filter: ApprovalFilter): Promise<Approval[]>;
  getApproval(id: string): Promise<Approval | null>;
  /** Compare-and-swap pending (and not expired) → approved or denied; null when it was no longer pending. */
  decideApproval(
    id: string,
    decision: { to: 'approved' | 'denied'; by: string; reason?: string },
  ): Promise<Approval | null>;
  /** Compare-and-swap approved → consumed, right before the step runs: false when it was already used. */
  consumeApproval(id: string): Promise<boolean>;
  /** Pending approvals past their expiry become expired (or, with an execution id, all its pending ones); returns them. */
  closeApprovals(options: { executionId?: string; to: 'expired' | 'denied'; reason: string }): Promise<Approval[]>;
}

export interface AgentRecord {
  id: string;
  description: string;
  capabilities: Array<{ id: string; risk: Risk; description: string }>;
}

export interface AgentCatalogStore {
  upsertAgents(agents: AgentRecord[]): Promise<void>;
}
