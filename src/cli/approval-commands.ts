// `twisterlab approvals`, `approve <id>`, `deny <id> --reason …`: the approvals of a running API. The API key
// decides who approves (admin, and not the key that submitted the ticket).
import type { Approval } from '../core/approval.ts';
import type { ApiClient } from './api-client.ts';
import { statusStyle } from './colour.ts';
import { waitAndReport, type Output } from './ticket-commands.ts';

export function formatApproval(a: Approval, out?: Output): string {
  const decided = a.decidedBy ? `  by ${a.decidedBy}${a.reason ? ` (${a.reason})` : ''}` : `  expires ${a.expiresAt}`;
  const style = statusStyle(a.status);
  const status = style && out?.paint ? out.paint(style, a.status.padEnd(8)) : a.status.padEnd(8);
  return `${a.id}  ${status}  ticket ${a.ticketId}  step ${a.stepIndex}  requested by ${a.requestedBy}${decided}`;
}

export async function listApprovals(
  api: ApiClient,
  filter: { status?: string; ticket?: string; json: boolean },
  out: Output,
): Promise<number> {
  const query = new URLSearchParams({
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.ticket ? { ticketId: filter.ticket } : {}),
  }).toString();
  const { items } = await api.request<{ items: Approval[] }>('GET', `/api/v1/approvals${query ? `?${query}` : ''}`);
  if (filter.json) out.write(JSON.stringify({ items }));
  else {
    items.forEach((a) => out.write(formatApproval(a, out)));
    out.write(`${items.length} approvals`);
  }
  return 0;
}

export interface DecideArgs {
  reason?: string;
  json: boolean;
  /** approve only: follow the ticket until it settles, with the exit codes of `ticket submit --wait`. */
  wait?: boolean;
  timeoutMs?: number;
}

export async function decideApproval(
  api: ApiClient,
  decision: 'approve' | 'deny',
  id: string,
  args: DecideArgs,
  out: Output,
): Promise<number> {
  const body = decision === 'deny' ? { reason: args.reason } : undefined;
  const approval = await api.request<Approval>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/${decision}`, body);
  if (!args.wait) {
    out.write(args.json ? JSON.stringify(approval) : formatApproval(approval, out));
    return 0;
  }
  if (!args.json) out.write(formatApproval(approval, out));
  await leftApproval(api, approval.ticketId, args.timeoutMs);
  return waitAndReport(
    api,
    approval.ticketId,
    { json: args.json, ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }) },
    out,
  );
}

/**
 * The ticket leaves awaiting_approval a moment after the approval: until it has (or another step waits for its
 * own approval), its event stream would end at once on the state it is leaving.
 */
async function leftApproval(api: ApiClient, ticketId: string, timeoutMs: number | undefined): Promise<void> {
  const deadline = Date.now() + (timeoutMs ?? Infinity);
  const id = encodeURIComponent(ticketId);
  while (Date.now() < deadline) {
    const { ticket } = await api.request<{ ticket: { status: string } }>('GET', `/api/v1/tickets/${id}`);
    if (ticket.status !== 'awaiting_approval') return;
    const { items } = await api.request<{ items: Approval[] }>(
      'GET',
      `/api/v1/approvals?status=pending&ticketId=${id}`,
    );
    if (items.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
