// Runbook tools for MCP clients: the catalogue with each runbook's highest risk, and a dry run of one runbook —
// the plan it would make, with parameters filled and a policy decision per step. Nothing is stored or run.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunbookCatalogue } from '../core/runbooks/runbook-catalogue.ts';
import { runbookSummarySchema } from '../core/runbooks/runbook-view.ts';
import { parseOrThrow } from '../core/validation.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

const name = z.string().trim().min(1).max(200);
const listInput = z.strictObject({ category: z.string().min(1).max(40).optional() });
const dryRunInput = z.strictObject({
  runbook_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  description: z.string().trim().min(1).max(20_000).optional().describe('The ticket text to plan for; the runbook title when absent'),
  context: z.strictObject({ device_id: name.optional(), service_name: name.optional(), url: z.url({ protocol: /^https?$/ }).max(2048).optional() }).optional(),
  params: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional().describe("Values for the runbook's declared parameters"),
});
const listOutput = z.object({ items: z.array(runbookSummarySchema) });
const dryRunOutput = z.object({
  runbook_id: z.string(), plannable: z.boolean(), reason: z.string().nullable().describe('Why the runbook could not be planned for this input'),
  plan: z.record(z.string(), z.unknown()).describe('The plan: its steps with parameters filled and the policy decision of each'),
});
const readOnly = { readOnlyHint: true, openWorldHint: false };

/** The tools' names, schemas and annotations, without what answers them: the MCP catalogue is read from these. */
export const runbookToolSpecs = {
  'runbook.list': {
    name: 'runbook.list', title: 'List runbooks',
    description: 'The runbook catalogue: what each runbook fits, its steps and the highest risk it may reach',
    inputSchema: zodToolSchema(listInput, 'input'), outputSchema: zodToolSchema(listOutput, 'output'), annotations: readOnly,
  },
  'runbook.dry_run': {
    name: 'runbook.dry_run', title: 'Dry-run a runbook',
    description: 'The plan one runbook would make for a ticket text and context: parameters filled, the policy decision of each step, the backups it would take. Runs nothing.',
    inputSchema: zodToolSchema(dryRunInput, 'input'), outputSchema: zodToolSchema(dryRunOutput, 'output'), annotations: readOnly,
  },
} satisfies Record<string, Tool>;

export function runbookTools(catalogue: RunbookCatalogue): ToolDefinition[] {
  return [
    {
      role: 'viewer',
      tool: runbookToolSpecs['runbook.list'],
      call: async (_caller, args) => {
        const { category } = parseOrThrow(listInput, args, 'input for runbook.list');
        return toolOutput({ items: catalogue.list(category) });
      },
    },
    {
      role: 'operator',
      tool: runbookToolSpecs['runbook.dry_run'],
      call: async (_caller, args) => {
        const input = parseOrThrow(dryRunInput, args, 'input for runbook.dry_run');
        const { device_id: deviceId, service_name: serviceName, url } = input.context ?? {};
        const context = { ...(deviceId ? { deviceId } : {}), ...(serviceName ? { serviceName } : {}), ...(url ? { url } : {}) };
        const { runbookId, plannable, reason, plan } = await catalogue.dryRun(input.runbook_id, {
          context, ...(input.description ? { description: input.description } : {}), ...(input.params ? { params: input.params } : {}),
        });
        return toolOutput({ runbook_id: runbookId, plannable, reason, plan });
      },
    },
  ];
}
