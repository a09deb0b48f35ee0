// The API's shapes as the console reads them (see GET /docs/json). The lists mirror src/core/ticket.ts; a test
// checks that they stay equal.
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
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export const SETTLED = new Set<string>(['resolved', 'escalated', 'failed', 'no_fault_found']);

export type Role = 'viewer' | 'operator' | 'admin';

export interface SessionInfo {
  name: string;
  role: Role;
  csrfToken: string | null;
  expiresAt: string | null;
  keysConfigured: boolean;
}

export interface Finding {
  id: string;
  target: string;
  state: string;
  summary: string;
  evidence: Record<string, unknown>;
  runbookId: string;
  check: string;
}

export interface Analysis {
  category: string;
  priority: string;
  sentiment: string;
  urgency: string;
  confidence: number;
  summary: string;
  evidence: { sentiment: string[]; category: string[]; priority: string[] };
  path: string;
  fallbackReason?: string;
  flags?: string[];
  context?: {
    serviceName?: string;
    deviceId?: string;
    url?: string;
    ambiguous?: Array<{ kind: string; mention: string; candidates: string[] }>;
  };
}

export interface Ticket {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: string;
  description: string;
  requester: string;
  source: string;
  dryRun: boolean;
  context: { serviceName?: string; deviceId?: string; url?: string };
  analysis: Analysis | null;
  category: string | null;
  priority: string | null;
  resolutionNote: string | null;
  escalationReason: string | null;
  findings: Finding[];
  outcome: string | null;
  title: string | null;
  externalId: string | null;
  assignee: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  intent?: string | null;
  team?: string | null;
  handoffSummary?: string | null;
}

export interface Comment {
  id: number;
  ticketId: string;
  author: string;
  body: string;
  source: string;
  createdAt: string;
}

export interface PlannedStep {
  index: number;
  phase: string;
  capability: string;
  params: Record<string, unknown>;
  risk: string;
  description: string;
  decision: string;
  decisionReason: string;
  addresses?: string[];
}

export interface Plan {
  runbookId: string | null;
  title: string;
  steps: PlannedStep[];
  escalation?: string;
  stage?: 'diagnosis' | 'remedy';
  findings?: Finding[];
  parameters?: Record<string, unknown>;
  rejected?: Array<{ runbookId: string; reason: string }>;
}

export interface Execution {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  plan: Plan;
  success: boolean | null;
  summary: string | null;
}

export interface StepRecord {
  executionId: string;
  index: number;
  phase: string;
  capability: string;
  params: Record<string, unknown>;
  risk: string;
  status: string;
  output: unknown;
  error: { code: string; message: string } | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  details: Record<string, unknown>;
}

export interface TicketDetail {
  ticket: Ticket;
  executions: Execution[];
  steps: StepRecord[];
  audit: AuditEvent[];
  comments?: Comment[];
}

export interface Approval {
  id: string;
  ticketId: string;
  executionId: string;
  stepIndex: number;
  stepHash: string;
  status: string;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: string | null;
  expiresAt: string;
  reason: string | null;
  createdAt: string;
}
