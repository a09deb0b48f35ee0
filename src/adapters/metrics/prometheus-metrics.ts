// Prometheus metrics (prom-client): HTTP, tickets, steps, queue, and the process itself. One registry per
// app instance so tests can build several apps in one process.
import client from 'prom-client';
import type { TicketEvent } from '../../core/events.ts';
import type { InvocationEvent } from '../../core/registry.ts';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  observeInvocation(event: InvocationEvent): void;
  observeTicketEvent(event: TicketEvent): void;
  setGaugeSources(sources: { queueDepth: () => number; ticketsByStatus: () => Promise<Record<string, number>> }): void;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'twisterlab_' });
  const httpDuration = new client.Histogram({
    name: 'twisterlab_http_request_duration_seconds', help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const stepDuration = new client.Histogram({
    name: 'twisterlab_step_duration_seconds', help: 'Capability call duration by capability and outcome',
    labelNames: ['capability', 'outcome'] as const, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const transitions = new client.Counter({
    name: 'twisterlab_ticket_transitions_total', help: 'Ticket status changes by target status',
    labelNames: ['status'] as const, registers: [registry],
  });
  let sources: Parameters<Metrics['setGaugeSources']>[0] | undefined;
  new client.Gauge({
    name: 'twisterlab_queue_depth', help: 'Tickets waiting or in flight in this process', registers: [registry],
    collect() { if (sources) this.set(sources.queueDepth()); },
  });
  new client.Gauge({
    name: 'twisterlab_tickets', help: 'Tickets by current status', labelNames: ['status'] as const, registers: [registry],
    async collect() {
      if (!sources) return;
      this.reset();
      for (const [status, count] of Object.entries(await sources.ticketsByStatus())) this.set({ status }, count);
    },
  });
  return {
    registry,
    httpDuration,
    observeInvocation(event) {
      const outcome = event.result.ok ? 'ok' : event.result.error.code;
      stepDuration.observe({ capability: event.capability, outcome }, event.result.durationMs / 1000);
    },
    observeTicketEvent(event) {
      if (event.type === 'status') transitions.inc({ status: event.to });
    },
    setGaugeSources(s) { sources = s; },
  };
}
