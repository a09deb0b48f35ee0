// `twisterlab ticket assign|comment|comments|resolve|rerun`: a person takes over a ticket, through the API.
import type { Comment, Ticket } from '../core/ticket-repository.ts';
import type { ApiClient } from './api-client.ts';
import { formatFinal } from './format.ts';
import type { Output } from './ticket-commands.ts';

const path = (id: string, what: string) => `/api/v1/tickets/${encodeURIComponent(id)}/${what}`;

function formatComment(c: Comment): string {
  return `${c.createdAt}  ${c.author} (${c.source})\n  ${c.body.replace(/\n/g, '\n  ')}`;
}

/** `--to NAME` hands it to a person; `--nobody` hands it back. */
export async function assignCommand(
  client: ApiClient,
  id: string,
  assignee: string | null,
  json: boolean,
  out: Output,
): Promise<number> {
  const { ticket } = await client.request<{ ticket: Ticket }>('POST', path(id, 'assign'), { assignee });
  out.write(json ? JSON.stringify({ ticket }) : `ticket    ${ticket.id}  assigned to ${ticket.assignee ?? 'nobody'}`);
  return 0;
}

export async function commentCommand(
  client: ApiClient,
  id: string,
  body: string,
  json: boolean,
  out: Output,
): Promise<number> {
  const { comment } = await client.request<{ comment: Comment }>('POST', path(id, 'comments'), { body });
  out.write(json ? JSON.stringify({ comment }) : formatComment(comment));
  return 0;
}

export async function commentsCommand(client: ApiClient, id: string, json: boolean, out: Output): Promise<number> {
  const { items } = await client.request<{ items: Comment[] }>('GET', path(id, 'comments'));
  if (json) out.write(JSON.stringify({ items }));
  else {
    items.forEach((c) => out.write(formatComment(c)));
    out.write(`${items.length} comments`);
  }
  return 0;
}

/** `resolve` closes it with a note (a human resolution); `rerun` sends it through the loop again. */
export async function humanMoveCommand(
  client: ApiClient,
  move: 'resolve' | 'rerun',
  id: string,
  text: string,
  json: boolean,
  out: Output,
): Promise<number> {
  const body = move === 'resolve' ? { note: text } : { reason: text };
  const { ticket } = await client.request<{ ticket: Ticket }>('POST', path(id, move), body);
  out.write(json ? JSON.stringify({ ticket }) : formatFinal(ticket));
  return 0;
}
