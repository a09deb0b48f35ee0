// Act narrowly: the fix of a confirmed finding. Of the hypotheses whose fix addresses a confirmed finding (and whose
// `needs` hold), the best by the rules' score is planned with the diagnosis outputs bound, so an approval sees the
// exact values; its verification is the runbook's own checks (as the application sees the service) plus the checks
// that confirmed each fault, run again: the ticket is resolved only when every fault is gone.
import { findingKind } from '../findings/catalogue.ts';
import { rulesFor } from '../findings/confirm.ts';
import {
  decideSteps,
  fitRunbook,
  type CatalogueLookup,
  type Fit,
  type Planned,
  type PlanningFacts,
  type PlanOptions,
} from '../planner.ts';
import { addressedBy, type Runbook } from '../runbooks/runbook.ts';
import type { Analysis, Finding, Plan, PlannedStep } from '../ticket.ts';
import { canonicalJson } from '../approval.ts';
import type { DiagnosisResult } from '../diagnosis/read-diagnosis.ts';
import { PROMPT_INJECTION_FLAG } from '../prompt-guard.ts';

type Fitting = Extract<Fit, { ok: true }>;

export interface RemedyInput {
  analysis: Analysis;
  text: string;
  /** The runbooks whose fix may be chosen (the hypotheses, or those not tried yet). */
  runbooks: readonly Runbook[];
  /** Where the rules of the confirmed findings are read (every hypothesis); `runbooks` when not given. */
  diagnosed?: readonly Runbook[];
  lookup: CatalogueLookup;
  facts: PlanningFacts;
  options: PlanOptions;
  diagnosis: DiagnosisResult;
  /** The diagnosis plan: recheck steps repeat its calls. */
  diagnosisPlan: Plan;
}

const addressable = (runbook: Runbook, confirmed: ReadonlySet<string>) =>
  runbook.fix.some(
    (s) => addressedBy(s).some((id) => confirmed.has(id)) && (!s.needs || s.needs.some((n) => confirmed.has(n))),
  );

/** Steps that change something, backups counted: putting a configuration back (backup + sync) weighs more than a restart. */
const invasiveness = (fit: Fitting) =>
  fit.steps.filter((s) => s.phase === 'fix' || s.phase === 'backup' || s.risk !== 'read').length;

/** The remedy plan, or null when no runbook's fix addresses a confirmed finding. */
export function remedyPlan(input: RemedyInput): Plan | null {
  const { analysis, text, lookup, facts, diagnosis } = input;
  const confirmed = new Set(diagnosis.findings.map((f) => f.id));
  const candidates: Fitting[] = [];
  for (const runbook of input.runbooks.filter((r) => addressable(r, confirmed))) {
    const bound = Object.fromEntries(diagnosis.outputs.get(runbook.id) ?? []);
    const fit = fitRunbook(runbook, analysis, text, lookup, facts, {
      ...input.options,
      onTarget: true,
      bound,
      confirmed,
    });
    if (fit.ok && fit.steps.some((s) => s.phase === 'fix')) candidates.push(fit);
  }
  // The least invasive fix first (a restart before putting a configuration back), then the rules' score — never a
  // model's order: a model may order what is looked at, not choose a bigger change. The others wait their turn.
  candidates.sort(
    (a, b) => invasiveness(a) - invasiveness(b) || b.score - a.score || a.runbook.id.localeCompare(b.runbook.id),
  );
  const best = candidates[0];
  if (!best) return null;
  const faults = diagnosis.findings.filter((f) => findingKind(f.id).fault);
  const own = best.steps.filter((s) => s.phase !== 'diagnose');
  const { planned, rechecks } = withRechecks(own, faults, input);
  const steps = guard(decideSteps(planned, analysis, input.options), analysis);
  for (const [index, list] of rechecks) steps[index]!.rechecks = list;
  return {
    runbookId: best.runbook.id,
    title: best.runbook.title,
    stage: 'remedy',
    steps,
    findings: diagnosis.findings,
    bound: Object.fromEntries(diagnosis.outputs.get(best.runbook.id) ?? []),
    onVerifyFailure: best.runbook.onVerifyFailure ?? 'rollback',
    ...(candidates.length > 1 ? { alternatives: candidates.slice(1).map((c) => c.runbook.id) } : {}),
    ...(Object.keys(best.parameters).length > 0 ? { parameters: best.parameters } : {}),
  };
}

type Recheck = NonNullable<PlannedStep['rechecks']>[number];

/**
 * The runbook's steps with, in its verify phase, the check that confirmed each fault run again (a verify step
 * making the very same call carries the recheck instead of a second call). Rechecks by planned position.
 */
function withRechecks(
  own: Planned[],
  faults: readonly Finding[],
  input: RemedyInput,
): { planned: Planned[]; rechecks: Map<number, Recheck[]> } {
  const planned = [...own];
  const rechecks = new Map<number, Recheck[]>();
  for (const finding of faults) {
    const runbook = (input.diagnosed ?? input.runbooks).find((r) => r.id === finding.runbookId);
    const rule = runbook ? rulesFor(runbook, finding.id)[0] : undefined;
    const index = rule ? input.diagnosis.stepIndex.get(`${finding.runbookId}/${rule.step}`) : undefined;
    const call = index !== undefined ? input.diagnosisPlan.steps[index] : undefined;
    if (!call) continue;
    const recheck = { runbookId: finding.runbookId, findingId: finding.id, target: finding.target };
    let at = planned.findIndex(
      (s) => s.phase === 'verify' && s.step.capability === call.capability && sameParams(s.params, call.params),
    );
    if (at < 0) {
      const firstRollback = planned.findIndex((s) => s.phase === 'rollback');
      at = firstRollback < 0 ? planned.length : firstRollback;
      planned.splice(at, 0, {
        phase: 'verify',
        risk: call.risk,
        agent: call.agent,
        params: call.params,
        step: {
          capability: call.capability,
          params: call.params,
          description: `Check again that ${findingKind(finding.id).title} no more (${finding.target})`,
        },
      });
      // Positions after the insertion move by one.
      for (const key of [...rechecks.keys()].sort((a, b) => b - a)) {
        if (key >= at) {
          rechecks.set(key + 1, rechecks.get(key)!);
          rechecks.delete(key);
        }
      }
    }
    rechecks.set(at, [...(rechecks.get(at) ?? []), recheck]);
  }
  return { planned, rechecks };
}

const sameParams = (a: Record<string, unknown>, b: Record<string, unknown>) => canonicalJson(a) === canonicalJson(b);

/** A ticket that looks like it carries instructions never gets an unattended change: a human approves it. */
function guard(steps: PlannedStep[], analysis: Analysis): PlannedStep[] {
  if (!analysis.flags?.includes(PROMPT_INJECTION_FLAG)) return steps;
  return steps.map((s) =>
    s.risk === 'read' || s.decision !== 'run'
      ? s
      : {
          ...s,
          decision: 'needs_approval',
          decisionReason: 'the ticket holds instruction-like text: a human approves any change it leads to',
        },
  );
}
