// Ticket events across processes: what a worker publishes reaches the server-sent event streams (and
// `ticket submit --wait`) of every API process. Listeners in the publishing process get the event at once;
// the others through one Redis pub/sub channel that each process subscribes to once, at start, so a stream
// that subscribes locally never misses an event while a Redis subscription is being set up.
import { randomUUID } from 'node:crypto';
import type { TicketEvent, TicketEventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import { closeRedisConnection, createRedisConnection } from '../redis/redis-connection.ts';
import { createInProcessEventBus } from './in-process-event-bus.ts';

export interface RedisEventBusOptions {
  url: string;
  prefix: string;
  logger: Logger;
}

export interface RedisEventBus extends TicketEventBus {
  /** Resolves once the subscription is active (events from other processes arrive from then on). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  /** The publishing process, which has already delivered the event to its own listeners. */
  origin: string;
  event: TicketEvent;
}

export function createRedisEventBus(options: RedisEventBusOptions): RedisEventBus {
  const { logger } = options;
  const channel = `${options.prefix}:ticket-events`;
  const origin = randomUUID();
  const local = createInProcessEventBus(logger);
  const publisher = createRedisConnection({ url: options.url, name: `${options.prefix}:events-pub`, logger });
  const subscriber = createRedisConnection({
    url: options.url,
    name: `${options.prefix}:events-sub`,
    logger,
    waitForever: true,
  });
  let dropped = 0;
  // ioredis subscribes again by itself after a reconnection.
  const subscribed = subscriber.subscribe(channel).then(() => undefined);
  subscribed.catch((err: Error) => logger.warn({ err: err.message }, 'could not subscribe to ticket events on Redis'));
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      logger.warn({ channel }, 'ignored a ticket event that is not JSON');
      return;
    }
    if (envelope.origin !== origin && typeof envelope.event?.ticketId === 'string') local.publish(envelope.event);
  });

  return {
    publish(event) {
      local.publish(event);
      if (publisher.status !== 'ready') {
        // Events are progress notices; the ticket's state is in the store, which streams read first.
        if (dropped++ % 100 === 0)
          logger.warn(
            { ticketId: event.ticketId, dropped },
            'Redis is unreachable: ticket events are not reaching other processes',
          );
        return;
      }
      publisher
        .publish(channel, JSON.stringify({ origin, event } satisfies Envelope))
        .catch((err: Error) =>
          logger.debug({ err: err.message, ticketId: event.ticketId }, 'could not publish a ticket event'),
        );
    },
    subscribe: (ticketId, listener) => local.subscribe(ticketId, listener),
    ready: () => subscribed,
    async close() {
      await Promise.all([closeRedisConnection(publisher), closeRedisConnection(subscriber)]);
    },
  };
}
