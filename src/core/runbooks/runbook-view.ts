// How the catalogue is shown (REST, CLI, MCP): a summary per runbook, with the highest risk among its steps as
// the registry rates them, and the runbook itself as data.
import { riskRank, type Risk } from '../capability.ts';
import type { Runbook, RunbookStep } from './runbook.ts';

export interface RunbookSummary {
  id: string;
  title: string;
  description: string | null;
  categories: string[];
  keywords: string[];
  requires: string[];
  parameters: string[];
  steps: { diagnose: number; fix: number; verify: number; rollback: number };
  /** The riskiest step: what the runbook may do at most. */
  highestRisk: Risk;
  /** Fix steps back up what they change first. */
  backsUp: boolean;
  escalatesAfterDiagnosis: boolean;
  source: string;
}

const allSteps = (r: Runbook): RunbookStep[] => [...r.diagnose, ...r.fix, ...r.verify, ...(r.rollback ?? [])];

/** Risk of one call as the registry rates it (by the call's parameters when it can), undefined when unknown. */
export type RiskOf = (capabilityId: string, params: Record<string, unknown>) => Risk | undefined;

export function stepRisk(step: RunbookStep, capabilityRisk: RiskOf): Risk {
  const declared = capabilityRisk(step.capability, step.params) ?? 'destructive';
  return step.risk && riskRank(step.risk) > riskRank(declared) ? step.risk : declared;
}

export function summarizeRunbook(r: Runbook, capabilityRisk: RiskOf): RunbookSummary {
  const risks = allSteps(r).map((s) => stepRisk(s, capabilityRisk));
  return {
    id: r.id, title: r.title, description: r.description ?? null, categories: r.categories, keywords: r.keywords,
    requires: r.requires ?? [], parameters: Object.keys(r.parameters ?? {}),
    steps: { diagnose: r.diagnose.length, fix: r.fix.length, verify: r.verify.length, rollback: r.rollback?.length ?? 0 },
    highestRisk: risks.reduce<Risk>((max, risk) => (riskRank(risk) > riskRank(max) ? risk : max), 'read'),
    backsUp: r.fix.some((s) => s.backup !== undefined),
    escalatesAfterDiagnosis: r.escalateAfterDiagnosis !== undefined,
    source: r.source ?? 'code',
  };
}
