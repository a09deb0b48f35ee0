// The MCP tool catalogue as data: every tool the runtime serves (capabilities of the agent catalogue, then the
// ticket tools with approvals, feedback and handoff, then the runbook tools), with the same names, titles, schemas
// and annotations, built by the same functions. `twisterlab mcp` answers tools/list from it while the runtime is still starting.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { capabilityCatalogue } from '../agents/agent-catalogue.ts';
import { capabilityToolSpec } from './mcp-tools.ts';
import { runbookToolSpecs } from './runbook-tools.ts';
import { ticketToolSpecs } from './ticket-tools.ts';

let catalogue: Tool[] | undefined;

/** In the order McpTools lists them for a full runtime (approvals, feedback, handoff and runbooks wired). */
export function toolCatalogue(): Tool[] {
  catalogue ??= [
    ...capabilityCatalogue().map(capabilityToolSpec),
    ...ticketToolSpecs(),
    ...Object.values(runbookToolSpecs),
  ];
  return catalogue;
}
