// `twisterlab ticket submit|show`, `tickets`, `agents`: clients of a running API.
import type { CapabilityDescriptor } from '../core/registry.ts';
import type { Ticket, TicketDetail } from '../core/ticket-repository.ts';
import type { ApiClient } from './api-client.ts';
import type { Paint } from './colour.ts';
import { followTicket, waitExitCode } from './follow.ts';
import { formatAgents, formatFinal, formatTicketDetail, formatTicketRow } from './format.ts';

export interface Output {
  write(line: string): void;
  /** Messages about the command itself (stderr); stdout keeps the result. */
  warn?(line: string): void;
  /** Colours, when the terminal has them. */
  paint?: Paint;
}

export interface SubmitArgs {
  text: string;
  dryRun: boolean;
  wait: boolean;
  json: boolean;
  context: { deviceId?: string; serviceName?: string; url?: string };
  idempotencyKey?: string;
  /** With wait: stop waiting after this long. */
  timeoutMs?: number;
}

export async function submitCommand(client: ApiClient, args: SubmitArgs, out: Output): Promise<number> {
  const body = {
    description: args.text,
    dryRun: args.dryRun,
    ...(Object.keys(args.context).length ? { context: args.context } : {}),
  };
  const headers: Record<string, string> = args.idempotencyKey ? { 'idempotency-key': args.idempotencyKey } : {};
  const { ticket } = await client.request<{ ticket: Ticket }>('POST', '/api/v1/tickets', body, headers);
  if (!args.wait) {
    out.write(args.json ? JSON.stringify({ ticket }) : `ticket    ${ticket.id}  ${ticket.status}`);
    return 0;
  }
  if (!args.json) out.write(`ticket    ${ticket.id}`);
  return waitAndReport(client, ticket.id, args, out);
}

/** Follows a ticket until it settles, prints how it ended and returns the exit code (exit-codes.ts). */
export async function waitAndReport(
  client: ApiClient,
  id: string,
  args: { json: boolean; dryRun?: boolean; timeoutMs?: number },
  out: Output,
): Promise<number> {
  const result = await followTicket(
    client,
    id,
    args.json ? undefined : out,
    args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs },
  );
  if (result.kind !== 'settled') {
    const what =
      result.kind === 'lost' ? `lost the event stream (${result.reason})` : `gave up waiting after --timeout`;
    if (args.json)
      out.write(
        JSON.stringify({
          ticketId: id,
          status: result.status,
          wait: result.kind === 'lost' ? 'stream_lost' : 'timeout',
        }),
      );
    warn(
      out,
      `twisterlab: ${what} while ticket ${id} was ${result.status}; it goes on: see \`twisterlab ticket show ${id}\``,
    );
    return waitExitCode(result);
  }
  const detail = await client.request<TicketDetail>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`);
  if (args.json) out.write(JSON.stringify(detail));
  else out.write(formatFinal(detail.ticket, out.paint));
  if (!args.json && result.status === 'awaiting_approval') {
    out.write(
      `          a step needs approval: see \`twisterlab approvals --ticket ${id}\`, then \`twisterlab approve <id>\` (another admin)`,
    );
  }
  if (!args.json && result.status === 'no_fault_found') {
    out.write(
      `          nothing wrong was found: \`twisterlab ticket confirm ${id}\` if all is well, or \`twisterlab ticket reopen ${id} --reason "…"\``,
    );
  }
  return waitExitCode(result, args.dryRun);
}

function warn(out: Output, line: string): void {
  if (out.warn) out.warn(line);
  else process.stderr.write(`${line}\n`);
}

export async function showCommand(client: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  const detail = await client.request<TicketDetail>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`);
  out.write(json ? JSON.stringify(detail) : formatTicketDetail(detail, out.paint));
  return 0;
}

export async function listCommand(
  client: ApiClient,
  query: Record<string, string>,
  json: boolean,
  out: Output,
): Promise<number> {
  const qs = new URLSearchParams(query).toString();
  const page = await client.request<{ items: Ticket[]; total: number }>('GET', `/api/v1/tickets${qs ? `?${qs}` : ''}`);
  if (json) out.write(JSON.stringify(page));
  else {
    page.items.forEach((t) => out.write(formatTicketRow(t, out.paint)));
    out.write(`${page.items.length} of ${page.total} tickets`);
  }
  return 0;
}

export async function agentsCommand(client: ApiClient, json: boolean, out: Output): Promise<number> {
  const { agents } = await client.request<{
    agents: Array<{ id: string; description: string; capabilities: CapabilityDescriptor[] }>;
  }>('GET', '/api/v1/agents');
  out.write(json ? JSON.stringify({ agents }) : formatAgents(agents));
  return 0;
}

/** The requester's answer: confirm (no fault, all is well) or reopen (still broken, to a human). */
export async function answerCommand(
  client: ApiClient,
  answer: 'confirm' | 'reopen',
  id: string,
  text: string | undefined,
  json: boolean,
  out: Output,
): Promise<number> {
  const body = answer === 'confirm' ? (text ? { note: text } : {}) : { reason: text };
  const { ticket } = await client.request<{ ticket: Ticket }>(
    'POST',
    `/api/v1/tickets/${encodeURIComponent(id)}/${answer}`,
    body,
  );
  out.write(json ? JSON.stringify({ ticket }) : formatFinal(ticket, out.paint));
  return 0;
}
