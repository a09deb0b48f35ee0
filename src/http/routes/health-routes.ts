// /health for load balancers and humans, /metrics for Prometheus.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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

const health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    uptimeSeconds: z.number(),
    store: z.object({ ok: z.boolean(), kind: z.string(), latencyMs: z.number(), error: z.string().optional() }),
    queueDepth: z.number(),
  })
  .meta({
    id: 'Health',
    examples: [
      {
        status: 'ok',
        version: '0.1.0',
        uptimeSeconds: 3600,
        store: { ok: true, kind: 'postgres', latencyMs: 1.2 },
        queueDepth: 0,
      },
    ],
  });

export function healthRoutes(deps: HealthRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          operationId: 'getHealth',
          tags: ['health'],
          summary: 'Liveness and store reachability (no key needed)',
          response: {
            200: health.describe('Up, and the store answers'),
            503: health.describe('Up, but the store does not answer; Retry-After says when to ask again'),
          },
        },
      },
      async (request, reply) => {
        const started = performance.now();
        let store: { ok: boolean; kind: string; latencyMs: number; error?: string };
        try {
          await Promise.race([
            deps.store.ping(),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('store did not answer within 2 s')), 2000).unref(),
            ),
          ]);
          store = { ok: true, kind: deps.storeKind, latencyMs: performance.now() - started };
        } catch (error) {
          // Public: the driver's message (a host, a port, a role) goes to the log, under the request id shown.
          request.log.warn({ err: error, requestId: request.id }, 'health check: the store did not answer');
          store = {
            ok: false,
            kind: deps.storeKind,
            latencyMs: performance.now() - started,
            error: `the store did not answer (request id ${request.id})`,
          };
        }
        const body = {
          status: store.ok ? ('ok' as const) : ('degraded' as const),
          version: deps.version,
          uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000),
          store,
          queueDepth: deps.queueDepth(),
        };
        if (!store.ok) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.status(store.ok ? 200 : 503).send(body);
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { contentType, body } = await deps.metrics.exposition();
      reply.header('content-type', contentType);
      return body;
    });
  };
}
