// Polls an IMAP mailbox (imapflow) for unseen mail and turns each message into a ticket or a comment. A message is
// flagged \Seen (or moved) only after it was handled, and handling is idempotent (the Message-ID is the ticket's
// external id and the comment's), so a restart in between adds nothing twice. Oversized mail is not downloaded.
import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../core/logger.ts';
import type { IntakeDeps } from '../../core/ticket-intake.ts';
import { createPoller } from '../poller.ts';
import { mailToTicket, type MailOutcome } from './mail-to-ticket.ts';

export interface ImapIntakeOptions {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** Where handled mail goes; unset: it stays, flagged \Seen. */
  processedMailbox: string | undefined;
  pollMs: number;
  maxBytes: number;
  bodyChars: number;
}

export interface ImapIntake {
  /** One pass over the unseen mail; returns what became of each message. */
  pollOnce(): Promise<MailOutcome[]>;
  start(): void;
  stop(): Promise<void>;
}

export function createImapIntake(options: ImapIntakeOptions, deps: IntakeDeps, logger: Logger): ImapIntake {
  async function pollOnce(): Promise<MailOutcome[]> {
    // imapflow and mailparser are loaded on the first poll: only the process that polls a mailbox needs them.
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: options.host,
      port: options.port,
      secure: options.secure,
      auth: { user: options.user, pass: options.password },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    const outcomes: MailOutcome[] = [];
    try {
      const lock = await client.getMailboxLock(options.mailbox);
      try {
        const found = await client.search({ seen: false }, { uid: true });
        for (const uid of found || []) outcomes.push(await handle(client, uid));
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return outcomes;
  }

  async function handle(client: ImapFlow, uid: number): Promise<MailOutcome> {
    const meta = await client.fetchOne(String(uid), { size: true }, { uid: true });
    let outcome: MailOutcome;
    if (meta && meta.size !== undefined && meta.size > options.maxBytes) {
      outcome = { kind: 'ignored', reason: `message of ${meta.size} bytes is over the ${options.maxBytes}-byte limit` };
    } else {
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!message || !message.source) return { kind: 'ignored', reason: 'message vanished' };
      const { simpleParser } = await import('mailparser');
      const mail = await simpleParser(message.source, { skipImageLinks: true, skipTextToHtml: true });
      outcome = await mailToTicket(deps, mail, { bodyChars: options.bodyChars });
    }
    if (options.processedMailbox) await client.messageMove(String(uid), options.processedMailbox, { uid: true });
    else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    logger.info({ uid, outcome }, 'mail handled');
    return outcome;
  }

  const poller = createPoller({
    pass: pollOnce,
    nextDelayMs: () => options.pollMs,
    retryMs: options.pollMs,
    logger,
    failureMessage: 'mailbox poll failed; trying again',
  });
  return { pollOnce, start: poller.start, stop: poller.stop };
}
