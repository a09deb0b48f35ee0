// MCP resources: tickets (`ticket://{id}`, the same detail as GET /api/v1/tickets/:id, checked against the same
// output schema as ticket.show) and the runbook catalogue (`runbook://{id}`). Reading needs no more than the
// viewer role, like REST reads.
import {
  ErrorCode,
  McpError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import { showTicketOperation } from '../core/operations/ticket-operations.ts';
import type { Runbook } from '../core/runbooks/runbook.ts';
import type { TicketRepository } from '../core/ticket-repository.ts';
import { checkedOutput } from './operation-tools.ts';

export interface McpResourceDeps {
  store: TicketRepository;
  runbooks: () => readonly Runbook[];
}

/** JSON-RPC code the MCP specification gives to an unknown resource. */
const RESOURCE_NOT_FOUND = -32002 as ErrorCode;
const RECENT_TICKETS = 50;
const JSON_TYPE = 'application/json';

export const resourceTemplates: ResourceTemplate[] = [
  {
    uriTemplate: 'ticket://{id}',
    name: 'ticket',
    title: 'A ticket',
    description: 'Ticket, analysis, plans, steps and audit trail',
    mimeType: JSON_TYPE,
  },
  {
    uriTemplate: 'runbook://{id}',
    name: 'runbook',
    title: 'A runbook',
    description: 'Diagnose, fix and verify steps of one runbook',
    mimeType: JSON_TYPE,
  },
];

export async function listResources(deps: McpResourceDeps): Promise<Resource[]> {
  const runbooks = deps.runbooks().map((r) => ({
    uri: `runbook://${r.id}`,
    name: r.id,
    title: r.title,
    description: `Runbook for ${r.categories.join(', ')} tickets`,
    mimeType: JSON_TYPE,
  }));
  const { items } = await deps.store.list({ limit: RECENT_TICKETS, offset: 0 });
  const tickets = items.map((t) => ({
    uri: `ticket://${t.id}`,
    name: t.id,
    title: `${t.status}: ${t.description.slice(0, 80)}`,
    mimeType: JSON_TYPE,
  }));
  return [...runbooks, ...tickets];
}

export async function readResource(deps: McpResourceDeps, uri: string): Promise<ReadResourceResult> {
  const match = /^(ticket|runbook):\/\/([^/?#]+)$/.exec(uri);
  if (!match)
    throw new McpError(ErrorCode.InvalidParams, `unknown resource ${uri}; use ticket://{id} or runbook://{id}`);
  const [, kind, id] = match;
  const value = kind === 'runbook' ? deps.runbooks().find((r) => r.id === id) : await ticketDetail(deps.store, id!);
  if (!value) throw new McpError(RESOURCE_NOT_FOUND, `no ${kind} ${id}`, { uri });
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(value) }] };
}

async function ticketDetail(store: TicketRepository, id: string) {
  // Not a UUID cannot be a ticket; the store would refuse the cast.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const detail = await store.getDetail(id);
  // A detail outside the schema is a server error (hidden from the client), as over REST and ticket.show.
  return detail && checkedOutput(`ticket://${id}`, showTicketOperation.output, detail);
}
