// The runbook catalogue's list and dry run: one definition each, offered by REST (/api/v1/runbooks) and MCP
// (runbook.*). Filtering, the not-found error and what counts as plannable are the RunbookCatalogue's.
import { z } from 'zod';
import type { RunbookCatalogue } from '../runbooks/runbook-catalogue.ts';
import { runbookSummarySchema } from '../runbooks/runbook-view.ts';
import { defineOperation } from './operation.ts';
import { ticketContext } from './ticket-schemas.ts';

const json = z.record(z.string(), z.unknown());

export const runbookId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a runbook id is lower case letters, digits, "-" and "_"');

export const listRunbooksOperation = defineOperation({
  name: 'runbook.list',
  title: 'List runbooks',
  description: 'The runbook catalogue: what each runbook fits, its steps and the highest risk it may reach',
  role: 'viewer',
  input: z.strictObject({ category: z.string().min(1).max(40).optional() }),
  output: z.object({ items: z.array(runbookSummarySchema) }),
  run: async (catalogue: RunbookCatalogue, _caller, { category }) => ({ items: catalogue.list(category) }),
});

export const dryRunRunbookOperation = defineOperation({
  name: 'runbook.dry_run',
  title: 'Dry-run a runbook',
  description:
    'The plan one runbook would make for a ticket text and context: parameters filled, the policy decision of each step, the backups it would take. Runs nothing.',
  role: 'operator',
  input: z.strictObject({
    runbookId,
    description: z
      .string()
      .trim()
      .min(1)
      .max(20_000)
      .optional()
      .describe('The ticket text to plan for; the runbook title when absent'),
    context: ticketContext.optional(),
    params: z
      .record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()]))
      .optional()
      .describe("Values for the runbook's declared parameters"),
  }),
  output: z.object({
    runbookId: z.string(),
    plannable: z.boolean(),
    reason: z.string().nullable().describe('Why the runbook could not be planned for this input'),
    analysis: json.describe('The analysis of the ticket text the plan was made for'),
    plan: json.describe('The plan: its steps with parameters filled and the policy decision of each'),
  }),
  run: async (catalogue: RunbookCatalogue, _caller, { runbookId: id, description, context, params }) => {
    const result = await catalogue.dryRun(id, {
      ...(description !== undefined ? { description } : {}),
      ...(context ? { context } : {}),
      ...(params ? { params } : {}),
    });
    return {
      ...result,
      analysis: result.analysis as unknown as Record<string, unknown>,
      plan: result.plan as unknown as Record<string, unknown>,
    };
  },
});
