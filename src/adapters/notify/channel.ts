// A notification channel: turns the channel-neutral message into its own format and sends it, throwing on failure
// (the dispatcher retries). `attempt` counts from 1 and is the same delivery id each time.
import type { NotificationMessage } from '../../core/notifications/notification-message.ts';

export interface NotifyChannel {
  name: string;
  type: 'slack' | 'teams' | 'email' | 'webhook' | 'callback';
  send(message: NotificationMessage, attempt: number): Promise<void>;
}

/** A delivery that failed; `permanent` when trying again cannot help (a refused URL, a 4xx other than 408/429). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
