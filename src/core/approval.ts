// Approvals of plan steps that policy will not run unattended: what one is, and the hash that binds it to the
// exact step (runbook, capability, parameters), so an approval can never be spent on a different action.
import { createHash } from 'node:crypto';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'consumed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface Approval {
  id: string;
  ticketId: string;
  executionId: string;
  stepIndex: number;
  stepHash: string;
  status: ApprovalStatus;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: string | null;
  expiresAt: string;
  reason: string | null;
  createdAt: string;
}

export interface NewApproval {
  id: string;
  executionId: string;
  stepIndex: number;
  stepHash: string;
  requestedBy: string;
  expiresAt: string;
}

export interface ApprovalFilter {
  status?: ApprovalStatus;
  ticketId?: string;
  executionId?: string;
  limit: number;
}

/** Same value for the same parameters whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function stepHash(runbookId: string | null, capability: string, params: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${runbookId ?? ''}\n${capability}\n${canonicalJson(params)}`)
    .digest('hex');
}

export const DEFAULT_APPROVAL_TTL_MS = 60 * 60 * 1000;
