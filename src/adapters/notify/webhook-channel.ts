// Generic webhooks: the message and the ticket as JSON, signed with HMAC-SHA256 over `<timestamp>.<body>` so the
// receiver can check where it came from and refuse a replay; the delivery id is the same on every attempt.
import { createHmac } from 'node:crypto';
import type { NotificationMessage } from '../../core/notifications/notification-message.ts';
import { DeliveryError, type NotifyChannel } from './channel.ts';
import { expectSuccess, guardedPost, type PostOptions } from './guarded-post.ts';

export const SIGNATURE_HEADER = 'x-twisterlab-signature';
export const DELIVERY_HEADER = 'x-twisterlab-delivery';
export const TIMESTAMP_HEADER = 'x-twisterlab-timestamp';
export const EVENT_HEADER = 'x-twisterlab-event';

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookBody(message: NotificationMessage): string {
  return JSON.stringify({
    deliveryId: message.deliveryId,
    event: message.event,
    ticketId: message.ticketId,
    title: message.title,
    text: message.lines.join('\n'),
    url: message.url,
    facts: message.facts,
    team: message.team,
    handoffSummary: message.handoffSummary,
    ticket: message.ticket,
    details: message.details,
  });
}

/** The reserved channel that tells a helpdesk ticket's callback URL of every state change. */
export const CALLBACK_CHANNEL = 'callback';

export function createWebhookChannel(options: {
  name: string;
  /** A fixed URL, or (the helpdesk callback) the one the ticket carries. */
  url: string | ((message: NotificationMessage) => string | null);
  secret?: string;
  headers?: Record<string, string>;
  post: PostOptions;
  now?: () => number;
  type?: 'webhook' | 'callback';
}): NotifyChannel {
  const now = options.now ?? Date.now;
  return {
    name: options.name,
    type: options.type ?? 'webhook',
    async send(message) {
      const url = typeof options.url === 'string' ? options.url : options.url(message);
      if (!url) throw new DeliveryError(`ticket ${message.ticketId} has no callback URL`, true);
      const body = webhookBody(message);
      const timestamp = String(Math.floor(now() / 1000));
      const headers: Record<string, string> = {
        ...options.headers,
        [DELIVERY_HEADER]: message.deliveryId,
        'idempotency-key': message.deliveryId,
        [TIMESTAMP_HEADER]: timestamp,
        [EVENT_HEADER]: message.event,
        ...(options.secret ? { [SIGNATURE_HEADER]: signBody(options.secret, timestamp, body) } : {}),
      };
      expectSuccess(await guardedPost(url, body, headers, options.post), `webhook ${options.name}`);
    },
  };
}
