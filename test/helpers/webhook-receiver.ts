// A real HTTP receiver on loopback for notification tests: records every request, keeps each delivery id once
// (as a receiver honouring idempotency keys does), and can be taken down and brought back on the same port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url(path?: string): string;
  /** Every request that got a 2xx, in order. */
  accepted: ReceivedRequest[];
  /** Bodies by delivery id: the first accepted one (what an idempotent receiver acts on). */
  byDelivery: Map<string, ReceivedRequest>;
  /** Requests answered with an error status (while `failWith` is set). */
  refused: number;
  /** While set, requests get this status instead of 200. */
  failWith: number | undefined;
  /** Stops listening: connections are refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(deliveryHeader = 'x-twisterlab-delivery'): Promise<WebhookReceiver> {
  let server: http.Server | undefined;
  let port = 0;
  const receiver: WebhookReceiver = {
    url: (p = '/hook') => `http://127.0.0.1:${port}${p}`,
    accepted: [],
    byDelivery: new Map(),
    refused: 0,
    failWith: undefined,
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (receiver.failWith !== undefined) {
            receiver.refused += 1;
            res.writeHead(receiver.failWith).end('not now');
            return;
          }
          const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
          receiver.accepted.push(request);
          const id = String(req.headers[deliveryHeader] ?? req.headers['idempotency-key'] ?? '');
          if (!receiver.byDelivery.has(id)) receiver.byDelivery.set(id, request);
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        });
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', () => resolve()));
      port = (s.address() as AddressInfo).port;
      server = s;
    },
    close: () => receiver.stop(),
  };
  await receiver.start();
  return receiver;
}
