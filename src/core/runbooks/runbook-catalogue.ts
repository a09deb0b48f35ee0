// The runbook catalogue as REST, the CLI (through REST) and MCP see it: list, show one, and dry-run one. One
// place, so the surfaces cannot drift on filtering, the not-found error or what counts as plannable.
import { TwisterError } from '../errors.ts';
import type { Orchestrator } from '../orchestrator.ts';
import type { Ticket } from '../ticket-repository.ts';
import type { Analysis, Plan } from '../ticket.ts';
import type { Runbook } from './runbook.ts';
import { summarizeRunbook, type RiskOf, type RunbookSummary } from './runbook-view.ts';

export interface RunbookDryRun {
  runbookId: string;
  /** The runbook could be planned for this input; `reason` says why not otherwise. */
  plannable: boolean;
  reason: string | null;
  analysis: Analysis;
  plan: Plan;
}

export interface DryRunInput {
  /** The ticket text to plan for; the runbook's title when absent. */
  description?: string;
  context?: Ticket['context'];
  params?: Record<string, unknown>;
}

export class RunbookCatalogue {
  constructor(private readonly deps: { runbooks: () => readonly Runbook[]; riskOf: RiskOf; planRunbook: Orchestrator['planRunbook'] }) {}

  list(category?: string): RunbookSummary[] {
    return this.deps.runbooks()
      .filter((r) => !category || (r.categories as string[]).includes(category))
      .map((r) => summarizeRunbook(r, this.deps.riskOf));
  }

  get(id: string): Runbook {
    const runbook = this.deps.runbooks().find((r) => r.id === id);
    if (!runbook) throw new TwisterError('RUNBOOK_NOT_FOUND', `no runbook ${id}`, { runbook: id });
    return runbook;
  }

  summary(runbook: Runbook): RunbookSummary {
    return summarizeRunbook(runbook, this.deps.riskOf);
  }

  /** The plan the runbook would make for this input: nothing is stored or run. */
  async dryRun(id: string, input: DryRunInput): Promise<RunbookDryRun> {
    const runbook = this.get(id);
    const { analysis, plan } = await this.deps.planRunbook(runbook, {
      description: input.description ?? runbook.title, context: input.context ?? {}, ...(input.params ? { params: input.params } : {}),
    });
    const plannable = plan.runbookId === runbook.id;
    return { runbookId: runbook.id, plannable, reason: plannable ? null : plan.escalation ?? null, analysis, plan };
  }
}
