// In-process ticket events: subscribers per ticket id, no buffering. Listeners that throw are isolated.
import { ALL_TICKETS, type TicketEvent, type TicketEventBus } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';

export function createInProcessEventBus(logger: Logger): TicketEventBus {
  const listeners = new Map<string, Set<(event: TicketEvent) => void>>();
  return {
    publish(event) {
      const own = listeners.get(event.ticketId);
      const all = listeners.get(ALL_TICKETS);
      if (!own && !all) return;
      for (const listener of [...(own ?? []), ...(all ?? [])]) {
        try {
          listener(event);
        } catch (err) {
          logger.warn({ err, ticketId: event.ticketId }, 'ticket event listener failed');
        }
      }
    },
    subscribe(ticketId, listener) {
      let set = listeners.get(ticketId);
      if (!set) listeners.set(ticketId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(ticketId);
      };
    },
  };
}
