// Back-pressure at intake: once the tickets queued or running reach TWISTERLAB_BACKLOG_LIMIT, POST /api/v1/tickets
// and POST /orchestrate refuse with 429, Retry-After and the error envelope, storing nothing; every ticket accepted
// still reaches a final state. Processing is held on purpose: the shop's health endpoint answers only when the test
// lets it, so the backlog is full whatever the machine's speed.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startTestRuntime, waitForTicket, type TestRuntime } from '../helpers/test-runtime.ts';

const LIMIT = 4;
const BURST = 20;
const phrasings = [
  'The shop is down, customers cannot pay',
  'Nobody can check out on our web shop since ten minutes',
  'shop website not loading for customers, orders are failing',
  'Our online store seems broken, people complain they cannot buy anything',
];

/** A health endpoint that holds every request until released, then answers 200 at once. */
function heldHealthEndpoint(): { server: Server; release(): void; seen(): number } {
  const held: ServerResponse[] = [];
  let released = false;
  let seen = 0;
  const server = createServer((_request, response) => {
    seen += 1;
    if (released) response.end('ok');
    else held.push(response);
  });
  return {
    server,
    seen: () => seen,
    release() {
      released = true;
      for (const response of held.splice(0)) response.end('ok');
    },
  };
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 2_000; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.each(BACKENDS)('back-pressure at intake (%s)', (backend) => {
  let t: TestRuntime;
  let base: string;
  const shop = heldHealthEndpoint();

  beforeAll(async () => {
    await new Promise<void>((resolve) => shop.server.listen(0, '127.0.0.1', resolve));
    const shopUrl = `http://127.0.0.1:${(shop.server.address() as AddressInfo).port}/health`;
    t = await startTestRuntime(backend, {
      TWISTERLAB_SERVICES: `shop=${shopUrl}`,
      TWISTERLAB_CONCURRENCY: '1',
      TWISTERLAB_BACKLOG_LIMIT: String(LIMIT),
      TWISTERLAB_BACKLOG_RETRY_AFTER_S: '3',
      TWISTERLAB_CHECK_TIMEOUT_MS: '120000',
      TWISTERLAB_CAPABILITY_TIMEOUT_MS: '120000',
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    shop.release();
    await t?.close();
    shop.server.closeAllConnections();
    await new Promise((resolve) => shop.server.close(resolve));
  });

  it('refuses a burst past the limit with 429 and Retry-After, stores only what it accepted, and settles all of it', async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        fetch(`${base}/api/v1/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: `${phrasings[i % phrasings.length]} (#${i})` }),
        }),
      ),
    );
    const accepted: string[] = [];
    const refused: Response[] = [];
    for (const answer of answers) {
      if (answer.status === 202) accepted.push(((await answer.json()) as { ticket: { id: string } }).ticket.id);
      else refused.push(answer);
    }
    // Nothing settles while the shop holds its answers: the backlog never holds more than the limit.
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(LIMIT);
    expect(refused.length).toBe(BURST - accepted.length);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('3');
      const body = (await answer.json()) as { error: { code: string; message: string; details: { limit: number } } };
      expect(body.error.code).toBe('BACKLOG_FULL');
      expect(body.error.message).toMatch(/too many tickets waiting/);
      expect(body.error.details.limit).toBe(LIMIT);
    }
    const stored = await t.runtime.opened.store.list({ limit: 100, offset: 0 });
    expect(stored.total).toBe(accepted.length);
    expect(stored.items.map((ticket) => ticket.id).sort()).toEqual([...accepted].sort());

    // The whole loop in one call enters through the same intake, and is refused the same way.
    const orchestrate = await fetch(`${base}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'customers say the shop will not take their payment' }),
    });
    expect(orchestrate.status).toBe(429);
    expect(orchestrate.headers.get('retry-after')).toBe('3');
    expect(((await orchestrate.json()) as { error: { code: string } }).error.code).toBe('BACKLOG_FULL');
    expect((await t.runtime.opened.store.list({ limit: 1, offset: 0 })).total).toBe(accepted.length);

    // The first ticket is diagnosing the shop (its check is held); the queue holds the rest.
    await waitUntil('the shop to be checked', () => shop.seen() > 0);
    shop.release();
    const finals = await Promise.all(accepted.map((id) => waitForTicket(t.app, id, 240_000)));
    for (const detail of finals) expect(['no_fault_found', 'resolved', 'escalated']).toContain(detail.ticket.status);

    // Settled: the backlog is empty again and intake takes tickets.
    await waitUntil(
      'the queue to empty',
      async () => (await t.app.inject({ method: 'GET', url: '/health' })).json().queueDepth === 0,
    );
    const again = await fetch(`${base}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'The shop is down again since lunch' }),
    });
    expect(again.status).toBe(202);
    await waitForTicket(t.app, ((await again.json()) as { ticket: { id: string } }).ticket.id, 240_000);
  });
});
