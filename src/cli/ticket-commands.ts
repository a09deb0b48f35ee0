// `twisterlab ticket submit|show`, `tickets`, `agents`: clients of a running API.
import type { CapabilityDescriptor } from '../core/registry.ts';
import type { StepRecord, Ticket, TicketDetail } from '../core/ticket-repository.ts';
import type { TicketEvent } from '../core/events.ts';
import type { ApiClient } from './api-client.ts';
import { formatAgents, formatAnalysis, formatFinal, formatPlan, formatStep, formatTicketDetail, formatTicketRow } from './format.ts';

export interface Output {
  write(line: string): void;
}

export interface SubmitArgs {
  text: string;
  dryRun: boolean;
  wait: boolean;
  json: boolean;
  context: { deviceId?: string; serviceName?: string; url?: string };
  idempotencyKey?: string;
}

export async function submitCommand(client: ApiClient, args: SubmitArgs, out: Output): Promise<number> {
  const body = { description: args.text, dryRun: args.dryRun, ...(Object.keys(args.context).length ? { context: args.context } : {}) };
  const headers: Record<string, string> = args.idempotencyKey ? { 'idempotency-key': args.idempotencyKey } : {};
  const { ticket } = await client.request<{ ticket: Ticket }>('POST', '/api/v1/tickets', body, headers);
  if (!args.wait) {
    out.write(args.json ? JSON.stringify({ ticket }) : `ticket    ${ticket.id}  ${ticket.status}`);
    return 0;
  }
  if (!args.json) out.write(`ticket    ${ticket.id}`);
  const final = await follow(client, ticket.id, args.json ? undefined : out);
  const detail = await client.request<TicketDetail>('GET', `/api/v1/tickets/${ticket.id}`);
  if (args.json) out.write(JSON.stringify(detail));
  else out.write(formatFinal(detail.ticket));
  if (final === 'awaiting_approval') {
    if (!args.json) out.write(`          a step needs approval: see \`twisterlab approvals --ticket ${ticket.id}\`, then \`twisterlab approve <id>\` (another admin)`);
    return 4;
  }
  if (final === 'no_fault_found') {
    if (!args.json) out.write(`          nothing wrong was found: \`twisterlab ticket confirm ${ticket.id}\` if all is well, or \`twisterlab ticket reopen ${ticket.id} --reason "…"\``);
    return 5;
  }
  return final === 'resolved' || (args.dryRun && final === 'planned') ? 0 : 3;
}

/** Prints the ticket's progress as it happens; returns the status it stopped in. */
async function follow(client: ApiClient, id: string, out: Output | undefined): Promise<string> {
  // Diagnosis and remedy are two executions, each numbering its steps from 0.
  const printed = new Set<string>();
  let status = 'new';
  const printStep = (step: StepRecord) => {
    const key = `${step.executionId}:${step.index}`;
    if (printed.has(key)) return;
    printed.add(key);
    out?.write(formatStep(step));
  };
  for await (const message of client.events(`/api/v1/tickets/${id}/events`)) {
    if (message.event === 'snapshot') {
      const detail = message.data as TicketDetail;
      status = detail.ticket.status;
      if (detail.ticket.analysis) out?.write(formatAnalysis(detail.ticket.analysis));
      const execution = detail.executions.at(-1);
      if (execution) out?.write(formatPlan(execution.plan, execution.dryRun));
      detail.steps.forEach(printStep);
      continue;
    }
    const event = message.data as TicketEvent;
    if (event.type === 'analysis') out?.write(formatAnalysis(event.analysis));
    else if (event.type === 'plan') out?.write(formatPlan(event.plan, event.dryRun));
    else if (event.type === 'step') printStep(event.step);
    else if (event.type === 'status') status = event.to;
    else if (event.type === 'done') status = event.status;
  }
  return status;
}

export async function showCommand(client: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  const detail = await client.request<TicketDetail>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`);
  out.write(json ? JSON.stringify(detail) : formatTicketDetail(detail));
  return 0;
}

export async function listCommand(client: ApiClient, query: Record<string, string>, json: boolean, out: Output): Promise<number> {
  const qs = new URLSearchParams(query).toString();
  const page = await client.request<{ items: Ticket[]; total: number }>('GET', `/api/v1/tickets${qs ? `?${qs}` : ''}`);
  if (json) out.write(JSON.stringify(page));
  else {
    page.items.forEach((t) => out.write(formatTicketRow(t)));
    out.write(`${page.items.length} of ${page.total} tickets`);
  }
  return 0;
}

export async function agentsCommand(client: ApiClient, json: boolean, out: Output): Promise<number> {
  const { agents } = await client.request<{ agents: Array<{ id: string; description: string; capabilities: CapabilityDescriptor[] }> }>('GET', '/api/v1/agents');
  out.write(json ? JSON.stringify({ agents }) : formatAgents(agents));
  return 0;
}

/** The requester's answer: confirm (no fault, all is well) or reopen (still broken, to a human). */
export async function answerCommand(client: ApiClient, answer: 'confirm' | 'reopen', id: string, text: string | undefined, json: boolean, out: Output): Promise<number> {
  const body = answer === 'confirm' ? (text ? { note: text } : {}) : { reason: text };
  const { ticket } = await client.request<{ ticket: Ticket }>('POST', `/api/v1/tickets/${encodeURIComponent(id)}/${answer}`, body);
  out.write(json ? JSON.stringify({ ticket }) : formatFinal(ticket));
  return 0;
}
