// Runbooks are data: which tickets they fit, the parameters they take, and the diagnose, fix, verify and
// rollback steps they plan. Built-in ones ship as YAML under runbooks/; users add theirs from a directory.
// Parameters may be templates (`{{params.service}}`, `{{context.serviceName}}`) filled at planning time, or
// outputs of earlier steps (`{{steps.find.blocker_pids}}`) filled when the step runs (see template.ts).
import type { Risk } from '../capability.ts';
import type { Category, Condition } from '../ticket.ts';

/** What a ticket must name for the runbook to fit. */
export const REQUIREMENTS = ['service', 'device', 'url', 'host'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export interface RunbookStep {
  /** Name for later steps' templates: `{{steps.<id>.<path into the output>}}`. */
  id?: string;
  capability: string;
  params: Record<string, unknown>;
  description: string;
  /** On verify steps: what must hold for the fix to count as verified. Values may be templates. */
  expect?: Condition[];
  /**
   * On fix steps: what to back up before this step (templated like params). The planner puts a
   * `backup.create_backup` step before it; a failed verification restores that backup.
   */
  backup?: { target: string; type: 'files' | 'postgres' | 'redis'; deviceId?: string; pattern?: string };
  /** The step counts as at least this risky, whatever the capability says of the call. */
  risk?: Risk;
  /** On a change that has nothing to back up: why (shown with the policy decision). */
  withoutBackup?: string;
  /** Planned only when this template has a value for the ticket, e.g. `{{service.page}}`. */
  if?: string;
  /**
   * Run only when this holds of an earlier step's output (`path` starts with `steps.<id>`), e.g. restart only
   * when the probe found the service unhealthy; otherwise the step is recorded as skipped. Not on verify steps.
   */
  when?: Condition;
  /** On fix steps: the finding (or findings, any of them) this step fixes; planned only when diagnosis confirmed one. */
  addresses?: string | string[];
  /** On fix steps: findings of which at least one must also be confirmed (e.g. config drift only when the service fails). */
  needs?: string[];
}

/**
 * How a diagnose step's output confirms a finding: every condition holds of the output of the step `step`.
 * `evidence` names the figures kept with the finding (name → dot path into the output).
 */
export interface FindingRule {
  id: string;
  step: string;
  when: Condition[];
  evidence?: Record<string, string>;
}

/** A runbook parameter: where its value comes from, its default, and the schema it must satisfy. */
export interface RunbookParameter {
  description?: string;
  /** A template filled from the analysis, e.g. `{{context.serviceName}}`. */
  from?: string;
  default?: unknown;
  type: 'string' | 'integer' | 'number' | 'boolean';
  pattern?: string;
  enum?: Array<string | number>;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export interface Runbook {
  id: string;
  title: string;
  description?: string;
  categories: Category[];
  /** Words in the ticket that make this runbook a better fit than its siblings. */
  keywords: string[];
  requires?: Requirement[];
  /** Fits only a named service of one of these kinds (`postgres`, `redis`, `http`, `tcp`). */
  serviceKinds?: Array<'http' | 'tcp' | 'postgres' | 'redis'>;
  /** Fits only tickets that contain at least one of the keywords (for runbooks too specific for a whole category). */
  requireKeyword?: boolean;
  parameters?: Record<string, RunbookParameter>;
  diagnose: RunbookStep[];
  fix: RunbookStep[];
  verify: RunbookStep[];
  /** Run after the backups are restored when verification fails, before checking again. */
  rollback?: RunbookStep[];
  /** The findings its diagnosis can confirm, and how. */
  findings?: FindingRule[];
  /** When verification fails after its fix: restore the backups (`rollback`, the default) or keep what improved (`keep`). */
  onVerifyFailure?: 'rollback' | 'keep';
  /** Set on runbooks that gather facts for a human and never close a ticket themselves. */
  escalateAfterDiagnosis?: string;
  /** Where it was loaded from: `builtin` or the file's name. */
  source?: string;
}

/** The findings a fix step addresses, as a list. */
export function addressedBy(step: Pick<RunbookStep, 'addresses'>): string[] {
  if (step.addresses === undefined) return [];
  return Array.isArray(step.addresses) ? step.addresses : [step.addresses];
}
