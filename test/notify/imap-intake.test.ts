// E-mail intake against Dovecot on loopback: a new message becomes a ticket (reporter, title, text from HTML), a
// reply becomes a comment on it (by In-Reply-To, or by the [TL-<id>] token), handled mail is moved away, and
// polling again (as after a restart) adds nothing twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapIntake } from '../../src/adapters/mail/imap-intake.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { TicketDetail } from '../../src/core/ticket-repository.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

function mail(headers: Record<string, string>, body: string, type = 'text/plain'): string {
  const lines = Object.entries({
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': `${type}; charset=utf-8`,
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

describe('e-mail intake from an IMAP mailbox', () => {
  let dir: string;
  let dovecot: Dovecot;
  let rt: TestRuntime;
  let imap: ImapFlow;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-imap-'));
    dovecot = await startDovecot(dir);
    rt = await startTestRuntime('postgres');
    imap = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
  }, 120_000);
  afterAll(async () => {
    await imap?.logout().catch(() => {});
    await rt?.close();
    await dovecot?.stop();
    if (process.env.KEEP_IMAP_DIR) console.log(dir);
    else rmSync(dir, { recursive: true, force: true });
  });

  it('makes one ticket per new thread and comments of its replies, once each across restarts', async () => {
    const store = rt.runtime.opened.store;
    // The tickets are recorded as queued, not run: this test is about what the mail becomes.
    const queued: string[] = [];
    const intake = () =>
      createImapIntake(
        {
          host: '127.0.0.1',
          port: dovecot.port,
          secure: false,
          user: dovecot.user,
          password: dovecot.password,
          mailbox: 'INBOX',
          processedMailbox: 'Processed',
          pollMs: 60_000,
          maxBytes: 64 * 1024,
          bodyChars: 5_000,
        },
        {
          store,
          queue: {
            enqueue: async (id) => {
              queued.push(id);
            },
            start: () => {},
            close: async () => {},
            depth: () => 0,
          },
          isAccepting: () => true,
        },
        silentLogger,
      );

    await imap.append(
      'INBOX',
      mail(
        {
          From: 'Erin Example <erin@example.org>',
          To: 'helpdesk@example.org',
          Subject: 'Cannot print invoices since Monday',
          'Message-ID': '<first-4711@mail.example.org>',
        },
        '<html><body><p>Hello,</p><p>the invoice printer on floor 2 shows <b>paper jam</b> but there is no paper stuck.</p><script>alert(1)</script></body></html>',
        'text/html',
      ),
    );
    const first = await intake().pollOnce();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: 'ticket', created: true });
    const ticketId = (first[0] as { ticketId: string }).ticketId;
    const ticket = (await store.get(ticketId))!;
    expect(ticket).toMatchObject({
      source: 'email',
      reporter: 'erin@example.org',
      title: 'Cannot print invoices since Monday',
      externalId: '<first-4711@mail.example.org>',
    });
    expect(ticket.description).toContain('paper jam');
    expect(ticket.description).not.toMatch(/<b>|<script>|alert\(1\)/);
    expect(queued).toEqual([ticketId]);

    await imap.append(
      'INBOX',
      mail(
        {
          From: 'erin@example.org',
          Subject: 'Re: Cannot print invoices since Monday',
          'Message-ID': '<reply-1@mail.example.org>',
          'In-Reply-To': '<first-4711@mail.example.org>',
          References: '<first-4711@mail.example.org>',
        },
        'It also happens on the printer on floor 3.',
      ),
    );
    await imap.append(
      'INBOX',
      mail(
        {
          From: 'frank@example.org',
          Subject: `Re: [TL-${ticketId}] Ticket escalated: Cannot print`,
          'Message-ID': '<reply-2@mail.example.org>',
        },
        'I restarted the print spooler, no change.',
      ),
    );
    const replies = await intake().pollOnce();
    expect(replies.map((o) => o.kind)).toEqual(['comment', 'comment']);

    // A restart before the messages were moved would see them again: nothing is added twice.
    await imap.append(
      'INBOX',
      mail(
        {
          From: 'erin@example.org',
          Subject: 'Re: Cannot print',
          'Message-ID': '<reply-1@mail.example.org>',
          'In-Reply-To': '<first-4711@mail.example.org>',
        },
        'It also happens on the printer on floor 3.',
      ),
    );
    await imap.append(
      'INBOX',
      mail(
        {
          From: 'Erin Example <erin@example.org>',
          Subject: 'Cannot print invoices since Monday',
          'Message-ID': '<first-4711@mail.example.org>',
        },
        'again',
      ),
    );
    const again = await intake().pollOnce();
    expect(again).toEqual([
      { kind: 'comment', ticketId, added: false },
      { kind: 'ticket', ticketId, created: false },
    ]);
    expect(await intake().pollOnce()).toEqual([]);
    expect(queued).toEqual([ticketId]);

    const detail = (await rt.app.inject({ method: 'GET', url: `/api/v1/tickets/${ticketId}` })).json() as TicketDetail;
    expect(detail.comments.map((c) => [c.author, c.source])).toEqual([
      ['erin@example.org', 'email'],
      ['frank@example.org', 'email'],
    ]);
    expect(detail.comments[1]!.body).toContain('print spooler');
    const inbox = await imap.status('INBOX', { messages: true });
    const processed = await imap.status('Processed', { messages: true });
    expect([inbox && inbox.messages, processed && processed.messages]).toEqual([0, 5]);
  });
});
