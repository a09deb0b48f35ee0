// E-mail notifications against a real SMTP server on loopback (aiosmtpd delivering into a Maildir): the message
// names the ticket in its subject, says what happened without secrets, and a server that is down fails the
// attempt (to be retried) without losing the notification.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailChannel } from '../../src/adapters/notify/email-channel.ts';
import { DeliveryError } from '../../src/adapters/notify/channel.ts';
import { buildMessage } from '../../src/core/notifications/notification-message.ts';
import type { OutboxEntry } from '../../src/core/notifications/outbox.ts';
import { createSmtpServer, type SmtpServer } from '../helpers/smtp-server.ts';

/** Headers unfolded and a quoted-printable body decoded, as a mail reader shows them. */
function readable(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).replace(/=\r?\n/g, '');
  const bytes = Buffer.from(
    body.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return `${head}${bytes.toString('utf8')}`;
}

const ticketId = '0190a5a0-1111-7000-8000-00000000abcd';

function entry(overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id: '0190a5a0-2222-7000-8000-000000000001',
    ticketId,
    channel: 'mail',
    event: 'approval.requested',
    idempotencyKey: '0190a5a0-2222-7000-8000-000000000001',
    payload: {
      ticket: {
        id: ticketId,
        status: 'awaiting_approval',
        description: 'Orders stall at checkout; the DB password is Sup3rS3cret!',
        requester: 'carol',
        category: 'database',
        priority: 'high',
        team: 'database',
        handoff_summary:
          'Request: the requester reports something not working: "Orders stall at checkout; the DB password is Sup3rS3cret!"\n' +
          'System: our service shop-db\nUrgency: high ("stall")\nChecked: found sessions wait on locks (confirmed)\n' +
          'Left to do: approve or refuse the change TwisterLab would make: End the sessions holding locks on orders\nTeam: database',
      },
      details: {
        approvals: [
          {
            id: '0190a5a0-3333-7000-8000-000000000009',
            stepIndex: 2,
            expiresAt: '2026-12-05T08:00:00.000Z',
            capability: 'database.terminate_blockers',
            description: 'End the sessions holding locks on orders',
            risk: 'destructive',
            why: 'destructive steps wait for a human',
          },
        ],
        findings: [
          {
            id: 'postgres.lock_contention',
            target: 'shop-db',
            summary: 'sessions wait on locks',
            evidence: { waiting: 14, longest_wait_s: 312 },
          },
        ],
      },
    },
    status: 'pending',
    attempts: 1,
    nextAttemptAt: '2026-12-05T07:00:00.000Z',
    lastError: null,
    deliveredAt: null,
    createdAt: '2026-12-05T07:00:00.000Z',
    ...overrides,
  };
}

describe('e-mail notifications over SMTP', () => {
  let dir: string;
  let smtp: SmtpServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-smtp-'));
    smtp = await createSmtpServer(dir);
  });
  afterAll(async () => {
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the attempt while the server is down, then delivers an approval request a human can act on', async () => {
    const channel = createEmailChannel({
      name: 'mail',
      smtp: { host: '127.0.0.1', port: smtp.port },
      from: 'twisterlab@example.org',
      to: ['oncall@example.org'],
      timeoutMs: 5_000,
    });
    const message = buildMessage(entry(), 'https://twisterlab.example.org');
    const down = await channel.send(message, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(down).toBeInstanceOf(DeliveryError);
    expect((down as DeliveryError).permanent).toBe(false);

    await smtp.start();
    await channel.send(message, 2);
    const received = smtp.messages();
    expect(received).toHaveLength(1);
    const mail = readable(received[0]!);
    expect(mail).toMatch(new RegExp(`^Subject: \\[TL-${ticketId}\\] Approval requested`, 'm'));
    expect(mail).toMatch(/^To: oncall@example\.org/m);
    expect(mail).toMatch(/^Message-ID: <0190a5a0-2222-7000-8000-000000000001@twisterlab\.notify>/im);
    expect(mail).toContain('twisterlab approve 0190a5a0-3333-7000-8000-000000000009');
    expect(mail).toContain(`https://twisterlab.example.org/tickets/${ticketId}`);
    expect(mail).toContain('Expires: 2026-12-05T08:00:00.000Z');
    expect(mail).toMatch(/postgres\.lock_contention on shop-db.*waiting=14/);
    // Who should take it and what is asked, in plain words, before the approval's technical lines.
    expect(mail).toMatch(
      /^Request: the requester reports something not working: "Orders stall at checkout; the DB password is /m,
    );
    expect(mail).toMatch(
      /^Left to do: approve or refuse the change TwisterLab would make: End the sessions holding locks on orders$/m,
    );
    expect(mail).toMatch(/^Team: database$/m);
    expect(mail.indexOf('Left to do:')).toBeLessThan(mail.indexOf('Step 2:'));
    expect(mail).not.toContain('Sup3rS3cret');
  });
});
