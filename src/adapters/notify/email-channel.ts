// E-mail over SMTP (nodemailer): the subject carries the ticket token `[TL-<id>]` so replies find their ticket,
// and the Message-ID is made from the delivery id, so a message sent twice after a retry is the same message
// to every mail system that de-duplicates by Message-ID.
import type { Transporter } from 'nodemailer';
import type { NotificationMessage } from '../../core/notifications/notification-message.ts';
import { DeliveryError, type NotifyChannel } from './channel.ts';

export interface EmailChannelOptions {
  name: string;
  smtp: {
    host: string;
    port: number;
    secure?: boolean | undefined;
    requireTls?: boolean | undefined;
    user?: string | undefined;
    password?: string | undefined;
  };
  from: string;
  to: string[];
  timeoutMs: number;
}

export function emailText(message: NotificationMessage): string {
  return [
    message.title,
    '',
    ...message.lines,
    '',
    ...message.facts.map((f) => `${f.label}: ${f.value}`),
    '',
    `Delivery: ${message.deliveryId}`,
  ].join('\n');
}

export function createEmailChannel(options: EmailChannelOptions): NotifyChannel {
  const { smtp } = options;
  // nodemailer is loaded on the first message, not by every process that has an e-mail channel configured.
  let transport: Transporter | undefined;
  const open = async () =>
    (transport ??= (await import('nodemailer')).default.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure ?? smtp.port === 465,
      requireTLS: smtp.requireTls ?? false,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    }));
  return {
    name: options.name,
    type: 'email',
    async send(message) {
      try {
        await (
          await open()
        ).sendMail({
          from: options.from,
          to: options.to,
          subject: `[TL-${message.ticketId}] ${message.title}`.replace(/[\r\n]+/g, ' ').slice(0, 250),
          text: emailText(message),
          messageId: `<${message.deliveryId}@twisterlab.notify>`,
          headers: {
            'X-TwisterLab-Delivery': message.deliveryId,
            'X-TwisterLab-Event': message.event,
            'X-TwisterLab-Ticket': message.ticketId,
          },
        });
      } catch (error) {
        const e = error as { responseCode?: number; code?: string; message?: string };
        // A 5xx answer to the message is permanent (unknown recipient, refused); a 4xx or a lost connection is not.
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH';
        throw new DeliveryError(
          `SMTP ${smtp.host}:${smtp.port}: ${e.code ?? ''} ${e.message ?? String(error)}`.trim(),
          permanent,
        );
      }
    },
  };
}
