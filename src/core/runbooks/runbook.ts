// Runbooks are data: which tickets they fit, and the diagnose, fix and verify steps they plan.
// Parameters may be templates (`{{context.serviceName}}`) filled from the analysis at planning time.
import type { Category, Condition } from '../ticket.ts';

export interface RunbookStep {
  capability: string;
  params: Record<string, unknown>;
  description: string;
  /** On verify steps: what must hold for the fix to count as verified. */
  expect?: Condition[];
  /**
   * On fix steps: what to back up before this step (templated like params). The planner puts a
   * `backup.create_backup` step before it; a failed verification restores that backup.
   */
  backup?: { target: string; type: 'files' | 'postgres' | 'redis'; deviceId?: string; pattern?: string };
}

export interface Runbook {
  id: string;
  title: string;
  categories: Category[];
  /** Words in the ticket that make this runbook a better fit than its siblings. */
  keywords: string[];
  diagnose: RunbookStep[];
  fix: RunbookStep[];
  verify: RunbookStep[];
  /** Set on runbooks that gather facts for a human and never close a ticket themselves. */
  escalateAfterDiagnosis?: string;
}

const TEMPLATE = /^\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}$/;

/** Resolves `{{a.b}}` parameters against the scope; returns undefined when one is missing (the runbook does not fit). */
export function fillParams(params: Record<string, unknown>, scope: Record<string, unknown>): Record<string, unknown> | undefined {
  const filled: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const match = typeof value === 'string' ? TEMPLATE.exec(value) : null;
    if (!match) {
      filled[key] = value;
      continue;
    }
    let resolved: unknown = scope;
    for (const segment of match[1]!.split('.')) {
      resolved = resolved !== null && typeof resolved === 'object' ? (resolved as Record<string, unknown>)[segment] : undefined;
    }
    if (resolved === undefined || resolved === null || resolved === '') return undefined;
    filled[key] = resolved;
  }
  return filled;
}
