// Runbook tools for MCP clients: the catalogue with each runbook's highest risk, and a dry run of one runbook —
// the plan it would make, with parameters filled and a policy decision per step. Nothing is stored or run.
import { z } from 'zod';
import { TwisterError } from '../core/errors.ts';
import type { Orchestrator } from '../core/orchestrator.ts';
import type { CapabilityRegistry } from '../core/registry.ts';
import type { Runbook } from '../core/runbooks/runbook.ts';
import { summarizeRunbook } from '../core/runbooks/runbook-view.ts';
import { parseOrThrow } from '../core/validation.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

export interface RunbookToolDeps {
  runbooks: () => readonly Runbook[];
  registry: CapabilityRegistry;
  planRunbook: Orchestrator['planRunbook'];
}

const name = z.string().trim().min(1).max(200);
const listInput = z.strictObject({ category: z.string().min(1).max(40).optional() });
const dryRunInput = z.strictObject({
  runbook_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  description: z.string().trim().min(1).max(20_000).optional().describe('The ticket text to plan for; the runbook title when absent'),
  context: z.strictObject({ device_id: name.optional(), service_name: name.optional(), url: z.url({ protocol: /^https?$/ }).max(2048).optional() }).optional(),
  params: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional().describe("Values for the runbook's declared parameters"),
});
const readOnly = { readOnlyHint: true, openWorldHint: false };

export function runbookTools(deps: RunbookToolDeps): ToolDefinition[] {
  const riskOf = (id: string, params: Record<string, unknown>) => deps.registry.riskOf(id, params);
  return [
    {
      role: 'viewer',
      tool: {
        name: 'runbook.list', title: 'List runbooks',
        description: 'The runbook catalogue: what each runbook fits, its steps and the highest risk it may reach',
        inputSchema: zodToolSchema(listInput, 'input'), annotations: readOnly,
      },
      call: async (_caller, args) => {
        const { category } = parseOrThrow(listInput, args, 'input for runbook.list');
        const items = deps.runbooks().filter((r) => !category || (r.categories as string[]).includes(category)).map((r) => summarizeRunbook(r, riskOf));
        return toolOutput({ items });
      },
    },
    {
      role: 'operator',
      tool: {
        name: 'runbook.dry_run', title: 'Dry-run a runbook',
        description: 'The plan one runbook would make for a ticket text and context: parameters filled, the policy decision of each step, the backups it would take. Runs nothing.',
        inputSchema: zodToolSchema(dryRunInput, 'input'), annotations: readOnly,
      },
      call: async (_caller, args) => {
        const input = parseOrThrow(dryRunInput, args, 'input for runbook.dry_run');
        const runbook = deps.runbooks().find((r) => r.id === input.runbook_id);
        if (!runbook) throw new TwisterError('RUNBOOK_NOT_FOUND', `no runbook ${input.runbook_id}`, { runbook: input.runbook_id });
        const { device_id: deviceId, service_name: serviceName, url } = input.context ?? {};
        const context = { ...(deviceId ? { deviceId } : {}), ...(serviceName ? { serviceName } : {}), ...(url ? { url } : {}) };
        const { plan } = await deps.planRunbook(runbook.id, { description: input.description ?? runbook.title, context, ...(input.params ? { params: input.params } : {}) });
        const plannable = plan.runbookId === runbook.id;
        return toolOutput({ runbook_id: runbook.id, plannable, reason: plannable ? null : plan.escalation ?? null, plan });
      },
    },
  ];
}
