// Delivers the outbox: claims due rows (any number of processes may run this), sends each through its channel,
// and marks it delivered, or schedules the next attempt with exponential backoff until the attempts run out.
// At least once: a process that dies after sending and before marking leaves the row to be sent again, under
// the same delivery id, once its lease lapses.
import type { Logger } from '../../core/logger.ts';
import { buildMessage } from '../../core/notifications/notification-message.ts';
import {
  retryDelayMs,
  type NotificationOutbox,
  type OutboxEntry,
  type OutboxTarget,
} from '../../core/notifications/outbox.ts';
import { createPoller } from '../poller.ts';
import { DeliveryError, type NotifyChannel } from './channel.ts';

export interface DispatcherOptions {
  outbox: NotificationOutbox;
  channels: ReadonlyMap<string, NotifyChannel>;
  logger: Logger;
  /** This process, as the owner of its claims. */
  owner: string;
  pollMs: number;
  /** How long a claim holds: longer than a channel's send timeout. */
  leaseMs: number;
  batch: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
  /** Where the ticket pages are (`<base>/tickets/<id>`). */
  pageBaseUrl: string;
  /** Warn of approvals this close to expiring, on these channels. */
  expiring?: { withinMs: number; targets: readonly OutboxTarget[] };
  onResult?: (entry: OutboxEntry, outcome: 'delivered' | 'retry' | 'failed') => void;
}

export interface NotificationDispatcher {
  /** One pass: queue expiry warnings, claim a batch, deliver it. Returns how many rows were tried. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): NotificationDispatcher {
  async function deliver(entry: OutboxEntry): Promise<void> {
    const channel = options.channels.get(entry.channel);
    let outcome: 'delivered' | 'retry' | 'failed';
    try {
      if (!channel) throw new DeliveryError(`no channel named ${entry.channel} is configured`, true);
      await channel.send(buildMessage(entry, options.pageBaseUrl), entry.attempts);
      await options.outbox.delivered(entry.id, options.owner);
      outcome = 'delivered';
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const delay = permanent ? null : retryDelayMs(entry.attempts, options.retry);
      const reason = error instanceof Error ? error.message : String(error);
      await options.outbox.failed(
        entry.id,
        options.owner,
        reason,
        delay === null ? null : new Date(Date.now() + delay),
      );
      outcome = delay === null ? 'failed' : 'retry';
      options.logger[delay === null ? 'warn' : 'info'](
        { notification: entry.id, channel: entry.channel, attempt: entry.attempts, err: reason },
        delay === null ? 'notification given up' : 'notification will be retried',
      );
    }
    options.onResult?.(entry, outcome);
  }

  async function runOnce(): Promise<number> {
    if (options.expiring) await options.outbox.enqueueExpiringApprovals(options.expiring);
    const claimed = await options.outbox.claim({
      owner: options.owner,
      limit: options.batch,
      leaseMs: options.leaseMs,
    });
    await Promise.all(claimed.map(deliver));
    return claimed.length;
  }

  const poller = createPoller({
    pass: runOnce,
    nextDelayMs: (tried) => (tried === options.batch ? 0 : options.pollMs),
    retryMs: options.pollMs,
    logger: options.logger,
    failureMessage: 'notification dispatch failed; trying again',
  });
  return { runOnce, start: poller.start, stop: poller.stop };
}
