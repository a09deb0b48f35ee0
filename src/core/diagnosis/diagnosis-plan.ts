// Diagnose broadly: the hypotheses for a ticket are the runbooks that fit its target (a named service of their
// kind, a host, a URL) whatever the category, or — when the ticket names no target — the runbooks of its category.
// Their read-only checks run together, each distinct check once; keywords and category only order them.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../approval.ts';
import { fitRunbook, type CatalogueLookup, type Fit, type PlanningFacts } from '../planner.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { Analysis, Plan, PlannedStep } from '../ticket.ts';

type Fitting = Extract<Fit, { ok: true }>;

export interface Hypotheses {
  fits: Fitting[];
  /** Runbooks about this kind of ticket that could not be planned, and why (shown when nothing fits). */
  rejected: Array<{ runbookId: string; reason: string }>;
}

/** Whether the ticket names where to look: a service, a host or a URL. */
export function namesTarget(analysis: Analysis): boolean {
  const { context } = analysis;
  return (
    !!context.serviceName ||
    !!context.url ||
    context.found.some((f) => f.kind === 'host' || f.kind === 'ip' || f.kind === 'url')
  );
}

const onTarget = (runbook: Runbook) => (runbook.requires?.length ?? 0) > 0;

export function findHypotheses(
  analysis: Analysis,
  text: string,
  runbooks: readonly Runbook[],
  lookup: CatalogueLookup,
  facts: PlanningFacts,
  preferred?: string,
): Hypotheses {
  const targeted = namesTarget(analysis);
  const fits: Fitting[] = [];
  const rejected: Hypotheses['rejected'] = [];
  for (const runbook of runbooks) {
    // A runbook on a target is a hypothesis for any ticket that names one; one without a target is about the
    // machine or the site as a whole, and only a ticket of its category that names no target is about that.
    if (targeted !== onTarget(runbook)) continue;
    // On a target, category does not filter; a runbook that asks for its keywords still does, unless it is made for
    // the named service's kind (connections of a PostgreSQL service are worth a look whatever the words).
    const loose = targeted && (!runbook.requireKeyword || kindMatches(runbook, facts));
    const fit = fitRunbook(runbook, analysis, text, lookup, facts, { onTarget: loose });
    // A runbook whose every check is planned away (`if`) has nothing to look at for this ticket.
    if (fit.ok && fit.steps.some((s) => s.phase === 'diagnose')) fits.push(fit);
    else if (!fit.ok && !fit.offTopic) rejected.push({ runbookId: fit.runbookId, reason: fit.reason });
  }
  fits.sort(
    (a, b) =>
      Number(b.runbook.id === preferred) - Number(a.runbook.id === preferred) ||
      b.score - a.score ||
      a.runbook.id.localeCompare(b.runbook.id),
  );
  return { fits, rejected };
}

/** A runbook made for the named service's kind (e.g. PostgreSQL connections) is a hypothesis for it without its keywords. */
function kindMatches(runbook: Runbook, facts: PlanningFacts): boolean {
  const kind = (facts.service as { kind?: string } | undefined)?.kind;
  return !!kind && !!runbook.serviceKinds && (runbook.serviceKinds as string[]).includes(kind);
}

const callKey = (capability: string, params: Record<string, unknown>) =>
  createHash('sha256')
    .update(`${capability}\u0000${canonicalJson(params)}`)
    .digest('hex');

/** One read-only step per distinct check of the hypotheses' diagnose phases, most likely hypothesis first. */
export function diagnosisPlan(hypotheses: Hypotheses): Plan {
  const steps: PlannedStep[] = [];
  const byKey = new Map<string, PlannedStep>();
  for (const fit of hypotheses.fits) {
    for (const planned of fit.steps.filter((s) => s.phase === 'diagnose')) {
      const source = { runbookId: fit.runbook.id, ...(planned.step.id ? { stepId: planned.step.id } : {}) };
      const key = callKey(planned.step.capability, planned.params);
      const existing = byKey.get(key);
      if (existing) {
        existing.sources!.push(source);
        continue;
      }
      const step: PlannedStep = {
        index: steps.length,
        phase: 'diagnose',
        capability: planned.step.capability,
        agent: planned.agent,
        params: planned.params,
        risk: planned.risk,
        description: planned.step.description,
        sources: [source],
        decision: planned.risk === 'read' ? 'run' : 'refuse',
        decisionReason: planned.risk === 'read' ? 'read-only' : 'diagnosis runs read-only checks only',
      };
      byKey.set(key, step);
      steps.push(step);
    }
  }
  return {
    runbookId: hypotheses.fits[0]?.runbook.id ?? null,
    title: `Diagnose: ${hypotheses.fits.map((f) => f.runbook.id).join(', ')}`,
    stage: 'diagnosis',
    steps: steps.filter((s) => s.decision === 'run').map((s, index) => ({ ...s, index })),
    hypotheses: hypotheses.fits.map((f) => ({ runbookId: f.runbook.id, score: f.score })),
  };
}
