// The planner: picks the runbook that fits the analysed ticket, fills its parameters, and asks policy about
// each step. When nothing fits, the plan says why and the ticket is escalated instead of guessed at.
import type { Risk } from './capability.ts';
import { decideStep } from './policy.ts';
import { BACKUP_CAPABILITY } from './rollback.ts';
import { fillParams, type Runbook, type RunbookStep } from './runbooks/runbook.ts';
import type { Analysis, Plan, PlannedStep, StepPhase } from './ticket.ts';

export interface CatalogueLookup {
  /** Agent and risk of one call of a capability, or undefined when it is not registered. */
  (capabilityId: string, params: Record<string, unknown>): { risk: Risk; agent: string } | undefined;
}

interface Candidate {
  runbook: Runbook;
  steps: Array<{ phase: StepPhase; step: RunbookStep; params: Record<string, unknown> }>;
  score: number;
}

/**
 * The backup step a fix step asks for (`backup` on the runbook step names what to save, whatever the priority;
 * policy then lets a change on a high or critical ticket run). Null when the step asks for none; undefined when
 * it cannot be planned (templates unfilled, no backup agent): then the runbook does not fit.
 */
function backupFor(step: RunbookStep, scope: Record<string, unknown>, lookup: CatalogueLookup): Candidate['steps'][number] | null | undefined {
  if (!step.backup) return null;
  const { target, type, deviceId, pattern } = step.backup;
  const backupParams = fillParams({ target, backup_type: type, ...(deviceId ? { device_id: deviceId } : {}), ...(pattern ? { pattern } : {}) }, scope);
  if (!backupParams || !lookup(BACKUP_CAPABILITY, backupParams)) return undefined;
  const backupStep: RunbookStep = { capability: BACKUP_CAPABILITY, params: backupParams, description: `Back up ${String(backupParams.target)} before: ${step.description}` };
  return { phase: 'backup', step: backupStep, params: backupParams };
}

function fit(runbook: Runbook, analysis: Analysis, text: string, lookup: CatalogueLookup, facts: PlanningFacts): Candidate | undefined {
  if (!runbook.categories.includes(analysis.category)) return undefined;
  const scope = { context: analysis.context, analysis, ...facts };
  const steps: Candidate['steps'] = [];
  const phases: Array<[StepPhase, RunbookStep[]]> = [['diagnose', runbook.diagnose], ['fix', runbook.fix], ['verify', runbook.verify]];
  for (const [phase, list] of phases) {
    for (const step of list) {
      const params = fillParams(step.params, scope);
      if (!params || !lookup(step.capability, params)) return undefined;
      if (phase === 'fix') {
        const backup = backupFor(step, scope, lookup);
        if (backup === undefined) return undefined;
        if (backup) steps.push(backup);
      }
      steps.push({ phase, step, params });
    }
  }
  const lower = text.toLowerCase();
  const keywordHits = runbook.keywords.filter((k) => lower.includes(k)).length;
  // A runbook that acts on a named target fits better than a generic one.
  const specificity = JSON.stringify(runbook).includes('{{') ? 2 : 0;
  // First category listed is the runbook's home category.
  const home = runbook.categories[0] === analysis.category ? 1 : 0;
  return { runbook, steps, score: keywordHits + specificity + home };
}

/** Facts about the named target that templates may use, e.g. `service.configDir` of a config baseline. */
export type PlanningFacts = Record<string, unknown>;

export function planTicket(analysis: Analysis, text: string, runbooks: readonly Runbook[], lookup: CatalogueLookup, facts: PlanningFacts = {}): Plan {
  const candidates = runbooks
    .map((r) => fit(r, analysis, text, lookup, facts))
    .filter((c): c is Candidate => c !== undefined)
    .sort((a, b) => b.score - a.score);
  const best = candidates[0];
  if (!best) {
    const missing = analysis.context.serviceName ? '' : ' and no known service or device was named';
    return {
      runbookId: null,
      title: 'No runbook fits',
      steps: [],
      escalation: `no runbook fits a ${analysis.priority}-priority ${analysis.category} ticket${missing}`,
    };
  }
  const hasVerification = best.steps.some((s) => s.phase === 'verify');
  const steps: PlannedStep[] = best.steps.map(({ phase, step, params }, index) => {
    const { risk, agent } = lookup(step.capability, params)!;
    const backupBefore = best.steps.slice(0, index).some((s) => s.step.capability === BACKUP_CAPABILITY);
    const { decision, reason } = decideStep({ risk, priority: analysis.priority, backupBefore, verified: hasVerification });
    return {
      index, phase, capability: step.capability, agent, params, risk, description: step.description,
      ...(step.expect ? { expect: step.expect } : {}),
      decision, decisionReason: reason,
    };
  });
  return {
    runbookId: best.runbook.id,
    title: best.runbook.title,
    steps,
    ...(best.runbook.escalateAfterDiagnosis ? { escalation: best.runbook.escalateAfterDiagnosis } : {}),
  };
}
