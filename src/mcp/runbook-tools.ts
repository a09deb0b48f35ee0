// Runbook tools for MCP clients: the catalogue with each runbook's highest risk, and a dry run of one runbook —
// the plan it would make, with parameters filled and a policy decision per step. Nothing is stored or run. The
// operations of core/operations, which REST offers at /api/v1/runbooks.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { dryRunRunbookOperation, listRunbooksOperation } from '../core/operations/runbook-operations.ts';
import type { RunbookCatalogue } from '../core/runbooks/runbook-catalogue.ts';
import { READ_ONLY, operationTool } from './operation-tools.ts';
import type { ToolDefinition } from './tool-definition.ts';

export function runbookTools(catalogue: RunbookCatalogue): ToolDefinition[] {
  return [
    operationTool(listRunbooksOperation, catalogue, { annotations: READ_ONLY }),
    operationTool(dryRunRunbookOperation, catalogue, { annotations: READ_ONLY }),
  ];
}

/**
 * The tools' names, schemas and annotations, as runbookTools makes them: what the MCP tool catalogue lists. Only
 * each definition's `tool` is read; the catalogue is not consulted until a call.
 */
export const runbookToolSpecs: Record<string, Tool> = Object.fromEntries(
  runbookTools(undefined as unknown as RunbookCatalogue).map((definition) => [definition.tool.name, definition.tool]),
);
