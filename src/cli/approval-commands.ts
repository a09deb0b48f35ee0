// `twisterlab approvals`, `approve <id>`, `deny <id> --reason …`: the approvals of a running API. The API key
// decides who approves (admin, and not the key that submitted the ticket).
import { parseArgs } from 'node:util';
import type { Approval } from '../core/approval.ts';
import type { ApiClient } from './api-client.ts';
import type { Output } from './ticket-commands.ts';

export const APPROVALS_USAGE = `  twisterlab approvals [--status pending|approved|denied|expired|consumed] [--ticket ID] [--json]
  twisterlab approve <approval-id>           approve one step (admin key, not the requester's)
  twisterlab deny <approval-id> --reason "…" deny it: nothing runs and the ticket is escalated`;

export function formatApproval(a: Approval): string {
  const decided = a.decidedBy ? `  by ${a.decidedBy}${a.reason ? ` (${a.reason})` : ''}` : `  expires ${a.expiresAt}`;
  return `${a.id}  ${a.status.padEnd(8)}  ticket ${a.ticketId}  step ${a.stepIndex}  requested by ${a.requestedBy}${decided}`;
}

export async function approvalsCommand(api: ApiClient, argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: { status: { type: 'string' }, ticket: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [command, id] = positionals;
  if (command === 'approvals') {
    const query = new URLSearchParams({ ...(values.status ? { status: values.status } : {}), ...(values.ticket ? { ticketId: values.ticket } : {}) }).toString();
    const { items } = await api.request<{ items: Approval[] }>('GET', `/api/v1/approvals${query ? `?${query}` : ''}`);
    if (values.json) out.write(JSON.stringify({ items }));
    else {
      items.forEach((a) => out.write(formatApproval(a)));
      out.write(`${items.length} approvals`);
    }
    return 0;
  }
  if ((command === 'approve' || (command === 'deny' && values.reason)) && id) {
    const body = command === 'deny' ? { reason: values.reason } : undefined;
    const approval = await api.request<Approval>('POST', `/api/v1/approvals/${encodeURIComponent(id)}/${command}`, body);
    out.write(values.json ? JSON.stringify(approval) : formatApproval(approval));
    return 0;
  }
  process.stderr.write(`usage:\n${APPROVALS_USAGE}\n`);
  return 2;
}
