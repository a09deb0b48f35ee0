// /health for load balancers and humans, /metrics for Prometheus.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { MetricsPort } from '../../core/metrics-port.ts';
import type { TicketRepository } from '../../core/ticket-repository.ts';
import { RETRY_AFTER_SECONDS } from '../plugins/error-handler.ts';

export interface HealthRouteDeps {
  store: TicketRepository;
  storeKind: string;
  metrics: MetricsPort;
  version: string;
  startedAt: Date;
  queueDepth: () => number;
}

export function healthRoutes(deps: HealthRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/health', { schema: { summary: 'Liveness and store reachability' } }, async (request, reply) => {
      const started = performance.now();
      let store: { ok: boolean; kind: string; latencyMs: number; error?: string };
      try {
        await Promise.race([
          deps.store.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('store did not answer within 2 s')), 2000).unref()),
        ]);
        store = { ok: true, kind: deps.storeKind, latencyMs: performance.now() - started };
      } catch (error) {
        // Public: the driver's message (a host, a port, a role) goes to the log, under the request id shown.
        request.log.warn({ err: error, requestId: request.id }, 'health check: the store did not answer');
        store = { ok: false, kind: deps.storeKind, latencyMs: performance.now() - started, error: `the store did not answer (request id ${request.id})` };
      }
      const body = {
        status: store.ok ? 'ok' : 'degraded',
        version: deps.version,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
        store,
        queueDepth: deps.queueDepth(),
      };
      if (!store.ok) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(store.ok ? 200 : 503).send(body);
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { contentType, body } = await deps.metrics.exposition();
      reply.header('content-type', contentType);
      return body;
    });
  };
}
