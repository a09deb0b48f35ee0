// The first plan the loop makes for a real ticket, as one pure decision: a human picks when the ticket names two
// declared systems alike; a person takes what is not a fault of ours (see notForDiagnosis); otherwise the read-only
// checks of every runbook that fits. The orchestrator runs this plan; the triage bench measures this same decision.
import { notForDiagnosis } from '../handoff/handoff.ts';
import type { CatalogueLookup, PlanningFacts } from '../planner.ts';
import { ambiguity, nothingFits } from '../remedy/outcome-texts.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { Analysis, Plan } from '../ticket.ts';
import { diagnosisPlan, findHypotheses, type Hypotheses } from './diagnosis-plan.ts';
import { targetOf } from './read-diagnosis.ts';

export interface DiagnosisDecision {
  plan: Plan;
  hypotheses: Hypotheses;
  /** Why a person takes the ticket undiagnosed, when that is the decision. */
  handover?: string;
  /** What the checks look at: a service, host, URL or device; `local` is this host. */
  target: string;
}

export function planDiagnosis(
  analysis: Analysis,
  text: string,
  runbooks: readonly Runbook[],
  lookup: CatalogueLookup,
  facts: PlanningFacts,
  preferred?: string,
): DiagnosisDecision {
  const ambiguous = ambiguity(analysis);
  const handover = ambiguous ? undefined : notForDiagnosis(analysis);
  const hypotheses: Hypotheses =
    ambiguous || handover
      ? { fits: [], rejected: [] }
      : findHypotheses(analysis, text, runbooks, lookup, facts, preferred);
  const plan: Plan =
    hypotheses.fits.length > 0
      ? diagnosisPlan(hypotheses)
      : {
          runbookId: null,
          title: handover ? 'Handed to a person' : 'No runbook fits',
          steps: [],
          escalation: ambiguous ?? (handover ? `not diagnosed: ${handover}` : nothingFits(analysis, hypotheses)),
          ...(hypotheses.rejected.length > 0 ? { rejected: hypotheses.rejected } : {}),
        };
  return { plan, hypotheses, ...(handover ? { handover } : {}), target: targetOf(analysis) };
}
