// Ticket tools for MCP clients: submit (the same intake as REST, source `mcp`), show and list. Inputs are
// snake_case like every tool; the ticket itself comes back in its REST shape, so one resource has one form.
import { z } from 'zod';
import type { Caller } from '../core/access.ts';
import { TwisterError } from '../core/errors.ts';
import { submitTicket, type IntakeDeps } from '../core/ticket-intake.ts';
import type { TicketEventBus } from '../core/events.ts';
import type { TicketRepository } from '../core/ticket-repository.ts';
import { CATEGORIES, PRIORITIES, TICKET_LIMITS, TICKET_OUTCOMES, TICKET_STATUSES, findingSchema, ticketOriginSchema } from '../core/ticket.ts';
import { text } from '../core/text-guard.ts';
import { parseOrThrow } from '../core/validation.ts';
import { waitForTicket } from './ticket-wait.ts';
import { toolOutput, zodToolSchema, type ToolDefinition } from './tool-definition.ts';

export interface TicketToolDeps extends IntakeDeps {
  store: TicketRepository;
  /** What `wait` listens to; without it, a wait re-reads the ticket until it settles. */
  events?: TicketEventBus;
}

const WAIT_DEFAULT_MS = 60_000;
const WAIT_MAX_MS = 600_000;
const noEvents: TicketEventBus = { publish: () => {}, subscribe: () => () => {} };

const name = text().trim().min(1).max(200);

const submitInput = z.strictObject({
  description: text().trim().min(1).max(20_000).describe('What is wrong, in the words of whoever reported it'),
  context: z.strictObject({
    device_id: name.optional(),
    service_name: name.optional(),
    url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  }).optional().describe('Where to act, when known; the analysis also extracts it from the text'),
  dry_run: z.boolean().default(false).describe('Analyse and plan only; nothing runs'),
  idempotency_key: z.string().min(1).max(200).optional().describe('A retry with the same key returns the first ticket'),
  title: ticketOriginSchema.shape.title.describe('A short subject'),
  external_id: ticketOriginSchema.shape.externalId.describe('Its id where it came from; an open ticket with the same one is returned instead of a new one'),
  reporter: ticketOriginSchema.shape.reporter.describe('The person who reported it, when not the caller'),
  labels: ticketOriginSchema.shape.labels,
  callback_url: ticketOriginSchema.shape.callbackUrl.describe('An http(s) URL told of every state change'),
  wait: z.boolean().default(false).describe('Answer once the ticket settles (resolved, escalated, awaiting approval, a dry run planned...), with progress notifications on each status change when the request carries a progressToken'),
  timeout_ms: z.number().int().min(1).max(WAIT_MAX_MS).default(WAIT_DEFAULT_MS).describe('How long wait waits; then the ticket comes back as it is, with settled false'),
});

const showInput = z.strictObject({ ticket_id: z.uuid() });

const listInput = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  category: z.enum(CATEGORIES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  source: z.string().min(1).max(60).optional(),
  external_id: z.string().min(1).max(TICKET_LIMITS.externalId).optional(),
  assignee: z.string().min(1).max(TICKET_LIMITS.assignee).optional(),
  label: z.string().min(1).max(TICKET_LIMITS.label).optional(),
  limit: z.number().int().min(1).max(200).default(20),
  offset: z.number().int().min(0).default(0),
});

export const ticketOutput = z.object({
  id: z.string(), createdAt: z.string(), updatedAt: z.string(), status: z.enum(TICKET_STATUSES), description: z.string(),
  requester: z.string(), source: z.string(), dryRun: z.boolean(), context: z.record(z.string(), z.unknown()),
  analysis: z.unknown(), category: z.string().nullable(), priority: z.string().nullable(),
  resolutionNote: z.string().nullable(), escalationReason: z.string().nullable(), idempotencyKey: z.string().nullable(),
  findings: z.array(findingSchema), outcome: z.enum(TICKET_OUTCOMES).nullable(),
  title: z.string().nullable(), externalId: z.string().nullable(), reporter: z.string().nullable(), labels: z.array(z.string()),
  assignee: z.string().nullable(), resolvedAt: z.string().nullable(), resolvedBy: z.string().nullable(), callbackUrl: z.string().nullable(),
  intent: z.string().nullable().optional(), team: z.string().nullable().optional(), handoffSummary: z.string().nullable().optional(),
});
const rows = z.array(z.record(z.string(), z.unknown()));

const submitOutput = z.object({
  ticket: ticketOutput, created: z.boolean(),
  settled: z.boolean().optional().describe('With wait: whether the ticket settled before the timeout'),
});
const showOutput = z.object({ ticket: ticketOutput, executions: rows, steps: rows, audit: rows, comments: rows });
const listOutput = z.object({ items: z.array(ticketOutput), total: z.number(), limit: z.number(), offset: z.number() });

export function ticketTools(deps: TicketToolDeps): ToolDefinition[] {
  return [
    {
      role: 'operator',
      tool: {
        name: 'ticket.submit',
        title: 'Submit a support ticket',
        description: 'Submit a ticket; TwisterLab analyses, plans, runs, verifies and resolves or escalates it. Follow it with ticket.show, or pass wait to answer once it settles.',
        inputSchema: zodToolSchema(submitInput, 'input'),
        outputSchema: zodToolSchema(submitOutput, 'output'),
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      call: async (caller: Caller, args, call) => {
        const input = parseOrThrow(submitInput, args, 'input for ticket.submit');
        const c = input.context ?? {};
        const context = {
          ...(c.device_id ? { deviceId: c.device_id } : {}), ...(c.service_name ? { serviceName: c.service_name } : {}), ...(c.url ? { url: c.url } : {}),
        };
        const origin = {
          ...(input.title ? { title: input.title } : {}), ...(input.external_id ? { externalId: input.external_id } : {}),
          ...(input.reporter ? { reporter: input.reporter } : {}), ...(input.labels ? { labels: input.labels } : {}),
          ...(input.callback_url ? { callbackUrl: input.callback_url } : {}),
        };
        const { ticket, created } = await submitTicket(deps, { description: input.description, context, dryRun: input.dry_run, ...origin }, {
          requester: caller.name, source: 'mcp', ...(input.idempotency_key ? { idempotencyKey: input.idempotency_key } : {}),
        });
        if (!input.wait) return toolOutput({ ticket, created });
        const waited = await waitForTicket({ store: deps.store, events: deps.events ?? noEvents }, ticket.id, input.timeout_ms, call?.progress, call?.signal);
        return toolOutput({ ticket: waited.ticket, created, settled: waited.settled });
      },
    },
    {
      role: 'viewer',
      tool: {
        name: 'ticket.show',
        title: 'Show a ticket',
        description: 'A ticket with its analysis, plans (executions), steps and audit trail',
        inputSchema: zodToolSchema(showInput, 'input'),
        outputSchema: zodToolSchema(showOutput, 'output'),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      call: async (_caller, args) => {
        const { ticket_id: id } = parseOrThrow(showInput, args, 'input for ticket.show');
        const detail = await deps.store.getDetail(id);
        if (!detail) throw new TwisterError('TICKET_NOT_FOUND', `no ticket ${id}`);
        return toolOutput(detail);
      },
    },
    {
      role: 'viewer',
      tool: {
        name: 'ticket.list',
        title: 'List tickets',
        description: 'Tickets, newest first, filtered by status, category, priority, source, external id, assignee or label',
        inputSchema: zodToolSchema(listInput, 'input'),
        outputSchema: zodToolSchema(listOutput, 'output'),
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      call: async (_caller, args) => {
        const { external_id: externalId, ...filter } = parseOrThrow(listInput, args, 'input for ticket.list');
        const { items, total } = await deps.store.list({ ...filter, ...(externalId ? { externalId } : {}) });
        return toolOutput({ items, total, limit: filter.limit, offset: filter.offset });
      },
    },
  ];
}
