// The worker's small HTTP listener: /metrics for Prometheus (its tickets' transitions, steps, queue wait) and
// /health for the container's health check. Plain node:http: a worker serves nothing else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsPort } from '../core/metrics-port.ts';
import type { Logger } from '../core/logger.ts';

export interface MetricsListener {
  address: string;
  close(): Promise<void>;
}

export async function listenForMetrics(options: {
  host: string;
  port: number;
  metrics: MetricsPort;
  /** Resolves when the store answers. */
  ping: () => Promise<void>;
  logger: Logger;
}): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const url = request.url?.split('?')[0];
    if (request.method !== 'GET' || (url !== '/metrics' && url !== '/health')) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'NOT_FOUND' } }));
      return;
    }
    const answer =
      url === '/metrics'
        ? options.metrics.exposition().then(({ contentType, body }) => ({ status: 200, type: contentType, body }))
        : withTimeout(options.ping(), 2_000).then(
            () => ({ status: 200, type: 'application/json', body: JSON.stringify({ status: 'ok', role: 'worker' }) }),
            (error: Error) => ({
              status: 503,
              type: 'application/json',
              body: JSON.stringify({ status: 'degraded', role: 'worker', store: { ok: false, error: error.message } }),
            }),
          );
    answer.then(
      ({ status, type, body }) => response.writeHead(status, { 'content-type': type }).end(body),
      (error: Error) => {
        options.logger.warn({ err: error.message }, 'could not answer a metrics request');
        response.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    address: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
