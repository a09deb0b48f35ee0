// What an e-mail becomes: a new ticket for a new thread (reporter = From, title = Subject, description = the text
// body, HTML turned into text), or a comment on the ticket it replies to (found by In-Reply-To/References, or a
// `[TL-<id>]` token in the subject). Mail is untrusted: bodies are cut to a size, attachments are only named.
import type { ParsedMail } from 'mailparser';
import type { IntakeDeps } from '../../core/ticket-intake.ts';
import { submitTicket } from '../../core/ticket-intake.ts';
import type { TicketRepository } from '../../core/ticket-repository.ts';

const TOKEN = /\[TL-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]/i;

export interface MailLimits {
  /** Characters of body kept. */
  bodyChars: number;
}

export type MailOutcome =
  | { kind: 'ticket'; ticketId: string; created: boolean }
  | { kind: 'comment'; ticketId: string; added: boolean }
  | { kind: 'ignored'; reason: string };

function references(mail: ParsedMail): string[] {
  const refs = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  return [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...refs].map((r) => r.trim()).filter(Boolean);
}

async function findThread(store: TicketRepository, mail: ParsedMail): Promise<string | null> {
  const token = TOKEN.exec(mail.subject ?? '')?.[1];
  if (token && (await store.get(token.toLowerCase()))) return token.toLowerCase();
  for (const ref of references(mail)) {
    const ticket = await store.findByExternalId('email', ref, { includeClosed: true });
    if (ticket) return ticket.id;
  }
  return null;
}

function bodyText(mail: ParsedMail, limits: MailLimits): string {
  // mailparser turns HTML into text (`mail.text` or its html-to-text rendering); scripts and markup never pass.
  const text = (mail.text ?? '').trim();
  const fromHtml = !text && typeof mail.html === 'string' ? htmlToPlain(mail.html) : '';
  const body = (text || fromHtml || '(no text)').replace(/\r\n/g, '\n');
  const cut =
    body.length > limits.bodyChars
      ? `${body.slice(0, limits.bodyChars)}\n[… cut at ${limits.bodyChars} characters]`
      : body;
  const attachments = mail.attachments.map((a) => `${a.filename ?? 'unnamed'} (${a.contentType}, ${a.size} bytes)`);
  return attachments.length > 0 ? `${cut}\n\n[attachments not kept: ${attachments.join('; ')}]` : cut;
}

function htmlToPlain(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n\n')
    .trim();
}

export async function mailToTicket(deps: IntakeDeps, mail: ParsedMail, limits: MailLimits): Promise<MailOutcome> {
  const from = mail.from?.value[0]?.address;
  const messageId = mail.messageId?.trim();
  if (!from) return { kind: 'ignored', reason: 'no From address' };
  const body = bodyText(mail, limits);
  const threadId = await findThread(deps.store, mail);
  if (threadId) {
    const comment = await deps.store.addComment(threadId, {
      author: from,
      body,
      source: 'email',
      ...(messageId ? { externalId: messageId } : {}),
    });
    return { kind: 'comment', ticketId: threadId, added: comment !== null };
  }
  const title = (mail.subject ?? '')
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 300);
  const submitted = await submitTicket(
    deps,
    {
      description: body,
      reporter: from,
      ...(title ? { title } : {}),
      ...(messageId ? { externalId: messageId } : {}),
    },
    { requester: from, source: 'email' },
  );
  return { kind: 'ticket', ticketId: submitted.ticket.id, created: submitted.created };
}
