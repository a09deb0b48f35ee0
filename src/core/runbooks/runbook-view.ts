// How the catalogue is shown (REST, CLI, MCP): a summary per runbook, with the highest risk among its steps as
// the registry rates them, and the runbook itself as data.
import { z } from 'zod';
import { RISKS, riskRank, type Risk } from '../capability.ts';
import type { Runbook, RunbookStep } from './runbook.ts';

/** What a runbook fits, its steps and the riskiest of them: REST, MCP and the CLI show this one shape. */
export const runbookSummarySchema = z.object({
  id: z.string(), title: z.string(), description: z.string().nullable(), categories: z.array(z.string()), keywords: z.array(z.string()),
  requires: z.array(z.string()), parameters: z.array(z.string()),
  steps: z.object({ diagnose: z.number(), fix: z.number(), verify: z.number(), rollback: z.number() }),
  /** The riskiest step: what the runbook may do at most. */
  highestRisk: z.enum(RISKS),
  /** Fix steps back up what they change first. */
  backsUp: z.boolean(),
  escalatesAfterDiagnosis: z.boolean(), source: z.string(),
}).meta({ id: 'RunbookSummary', description: 'What a runbook fits, its steps and the highest risk it may reach' });
export type RunbookSummary = z.infer<typeof runbookSummarySchema>;

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
