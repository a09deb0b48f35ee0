// Helpdesk webhooks over a real port: a sources file maps a Zammad-shaped body (signed as Zammad signs it,
// HMAC-SHA1 in X-Hub-Signature) and a GLPI-shaped body (HMAC-SHA256 in X-Hub-Signature-256) to tickets; a source
// without a secret needs an operator key. A wrong or missing signature stores nothing; a repeat delivery for an
// open ticket opens no second one and its new text becomes a comment.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment, Ticket } from '../../src/core/ticket-repository.ts';
import { freePort } from '../helpers/redis-server.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

const KEY = 'webhook-operator-key-000001';
const VIEWER = 'webhook-viewer-key-0000002';
const ZAMMAD_SECRET = 'zammad-signing-token-0001';
const GLPI_SECRET = 'glpi-signing-secret-000001';

let t: TestRuntime;
let base: string;
let shop: Server;
let dir: string;

const sources = {
  sources: {
    zammad: {
      fields: {
        description: 'article.body',
        title: 'ticket.title',
        externalId: 'ticket.number',
        reporter: 'ticket.customer.email',
        service: 'ticket.service',
        callbackUrl: 'callback',
      },
      secret: { env: 'ZAMMAD_WEBHOOK_SECRET' },
      algorithm: 'sha1',
      labels: ['helpdesk=zammad'],
    },
    glpi: {
      fields: {
        description: 'item.content',
        title: 'item.name',
        externalId: 'item.id',
        reporter: 'author.email',
        service: 'item.category',
        callbackUrl: 'links.callback',
      },
      secret: GLPI_SECRET,
    },
    jsm: { fields: { description: 'issue.fields.description', externalId: 'issue.key' } },
  },
};

const zammadBody = (number: string, body: string) => ({
  ticket: {
    id: 42,
    number,
    title: 'Shop checkout is slow',
    service: 'shop',
    customer: { email: 'emily@example.com', firstname: 'Emily' },
  },
  article: { subject: 'Shop checkout is slow', body, from: 'Emily Adams <emily@example.com>' },
  callback: 'https://helpdesk.example.com/api/v1/tickets/42',
});
const glpiBody = (content: string) => ({
  event: 'new',
  itemtype: 'Ticket',
  item: { id: 1337, name: 'Cannot pay on the shop', content, category: 'shop', status: 1 },
  author: { name: 'j.doe', email: 'john.doe@example.org' },
  links: { callback: 'https://glpi.example.org/apirest.php/Ticket/1337' },
});

const sign = (algorithm: 'sha1' | 'sha256', secret: string, raw: string) =>
  `${algorithm}=${createHmac(algorithm, secret).update(raw).digest('hex')}`;

async function post(source: string, raw: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/v1/intake/webhook/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}
async function tickets(source: string): Promise<Ticket[]> {
  const response = await fetch(`${base}/api/v1/tickets?source=${encodeURIComponent(source)}`, {
    headers: { 'x-api-key': KEY },
  });
  return ((await response.json()) as { items: Ticket[] }).items;
}
async function comments(id: string): Promise<Comment[]> {
  const response = await fetch(`${base}/api/v1/tickets/${id}/comments`, { headers: { 'x-api-key': KEY } });
  return ((await response.json()) as { items: Comment[] }).items;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-webhook-'));
  writeFileSync(path.join(dir, 'sources.json'), JSON.stringify(sources));
  const shopPort = await freePort();
  shop = createServer((_req, res) => res.end('ok')).listen(shopPort, '127.0.0.1');
  t = await startTestRuntime('pglite', {
    TWISTERLAB_SERVICES: `shop=http://127.0.0.1:${shopPort}/health`,
    TWISTERLAB_API_KEYS: `ops:operator:${KEY},vic:viewer:${VIEWER}`,
    TWISTERLAB_WEBHOOK_SOURCES_FILE: path.join(dir, 'sources.json'),
    ZAMMAD_WEBHOOK_SECRET: ZAMMAD_SECRET,
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);
afterAll(async () => {
  shop?.close();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('helpdesk webhooks', () => {
  it(
    'turns a Zammad trigger signed with HMAC-SHA1 into a ticket; a repeat adds a comment, never a second ticket',
    { timeout: 60_000 },
    async () => {
      const raw = JSON.stringify(
        zammadBody('31001', 'Customers say the checkout on our shop takes ages and sometimes times out.'),
      );
      const created = await post('zammad', raw, {
        'x-hub-signature': sign('sha1', ZAMMAD_SECRET, raw),
        'x-zammad-trigger': 'to TwisterLab',
      });
      expect(created.status).toBe(202);
      expect(created.body.outcome).toBe('created');
      expect(created.body.ticket).toMatchObject({
        source: 'webhook:zammad',
        requester: 'webhook:zammad',
        title: 'Shop checkout is slow',
        externalId: '31001',
        reporter: 'emily@example.com',
        callbackUrl: 'https://helpdesk.example.com/api/v1/tickets/42',
        context: { serviceName: 'shop' },
        labels: expect.arrayContaining(['helpdesk=zammad', 'service=shop']),
      });
      const id = created.body.ticket.id as string;

      // Zammad retries the same delivery: nothing new.
      const again = await post('zammad', raw, { 'x-hub-signature': sign('sha1', ZAMMAD_SECRET, raw) });
      expect(again).toMatchObject({ status: 200, body: { outcome: 'unchanged', ticket: { id } } });

      // A follow-up article on the same helpdesk ticket: a comment on ours.
      const followUp = JSON.stringify(
        zammadBody('31001', 'It is worse since this morning: nobody could pay for the last hour.'),
      );
      for (let i = 0; i < 2; i += 1) {
        const reply = await post('zammad', followUp, { 'x-hub-signature': sign('sha1', ZAMMAD_SECRET, followUp) });
        expect(reply).toMatchObject({
          status: 200,
          body: { outcome: i === 0 ? 'commented' : 'unchanged', ticket: { id } },
        });
      }
      expect(await tickets('webhook:zammad')).toHaveLength(1);
      const said = await comments(id);
      expect(said).toHaveLength(1);
      expect(said[0]).toMatchObject({
        author: 'emily@example.com',
        source: 'webhook:zammad',
        body: 'It is worse since this morning: nobody could pay for the last hour.',
      });
    },
  );

  it('turns a GLPI-shaped body signed with HMAC-SHA256 into a ticket with every mapped field', async () => {
    const raw = JSON.stringify(glpiBody('Since the update I cannot pay on the web shop, the page just spins.'));
    const created = await post('glpi', raw, { 'x-hub-signature-256': sign('sha256', GLPI_SECRET, raw) });
    expect(created.status).toBe(202);
    expect(created.body.ticket).toMatchObject({
      source: 'webhook:glpi',
      title: 'Cannot pay on the shop',
      externalId: '1337',
      reporter: 'john.doe@example.org',
      callbackUrl: 'https://glpi.example.org/apirest.php/Ticket/1337',
      context: { serviceName: 'shop' },
      description: 'Since the update I cannot pay on the web shop, the page just spins.',
    });
  });

  it('refuses a wrong, missing or other-algorithm signature with 401 and stores nothing', async () => {
    const raw = JSON.stringify(glpiBody('The printer on floor two is jammed again.'));
    const tampered = JSON.stringify(glpiBody('The printer on floor two is jammed again!'));
    const before = (await tickets('webhook:glpi')).length;
    const attempts: Record<string, string>[] = [
      {},
      { 'x-hub-signature-256': sign('sha256', GLPI_SECRET, tampered) },
      { 'x-hub-signature-256': sign('sha256', 'another-secret-entirely-1', raw) },
      { 'x-hub-signature-256': sign('sha1', GLPI_SECRET, raw) },
      { 'x-hub-signature': sign('sha256', GLPI_SECRET, raw) },
      { 'x-hub-signature-256': 'sha256=zz' },
      // An API key does not stand in for the signature of a source that has a secret.
      { 'x-api-key': KEY },
    ];
    for (const headers of attempts) {
      const reply = await post('glpi', raw, headers);
      expect(reply.status, JSON.stringify(headers)).toBe(401);
      expect(reply.body).toMatchObject({
        error: { code: 'UNAUTHORIZED', message: expect.stringContaining('x-hub-signature-256') },
      });
    }
    expect(await tickets('webhook:glpi')).toHaveLength(before);
  });

  it('needs an operator key for a source without a secret, as header or Bearer', async () => {
    const raw = JSON.stringify({
      issue: { key: 'HELP-7', fields: { description: 'The VPN drops every few minutes for the sales team.' } },
    });
    expect((await post('jsm', raw)).status).toBe(401);
    expect((await post('jsm', raw, { authorization: `Bearer ${VIEWER}` })).status).toBe(403);
    expect(await tickets('webhook:jsm')).toHaveLength(0);
    const created = await post('jsm', raw, { authorization: `Bearer ${KEY}` });
    expect(created).toMatchObject({
      status: 202,
      body: { ticket: { source: 'webhook:jsm', requester: 'ops', externalId: 'HELP-7' } },
    });
  });

  it('answers 404 for an unknown source and 400 naming the missing description path', async () => {
    const unknown = await post('osticket', '{"message":"hello"}', { 'x-api-key': KEY });
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: expect.stringContaining('osticket') } },
    });

    const raw = JSON.stringify({ ticket: { number: '31002', title: 'No body' }, article: { subject: 'no text here' } });
    const missing = await post('zammad', raw, { 'x-hub-signature': sign('sha1', ZAMMAD_SECRET, raw) });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('article.body') } },
    });

    const notJson = await post('zammad', '{"ticket":', {
      'x-hub-signature': sign('sha1', ZAMMAD_SECRET, '{"ticket":'),
    });
    expect(notJson.status).toBe(400);

    // The body limit holds on this route too (its own JSON parser keeps the raw bytes).
    const huge = JSON.stringify(zammadBody('31003', 'x'.repeat(300 * 1024)));
    const tooLarge = await post('zammad', huge, { 'x-hub-signature': sign('sha1', ZAMMAD_SECRET, huge) });
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(await tickets('webhook:zammad')).toHaveLength(1);
  });
});

describe('the OpenAPI document', () => {
  it('names the webhook route and documents its answers', () => {
    const spec = t.app.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { operationId: string; tags: string[]; responses: Record<string, unknown> }>
      >;
    };
    const op = spec.paths['/api/v1/intake/webhook/{source}']!.post!;
    expect(op.operationId).toBe('receiveHelpdeskWebhook');
    expect(op.tags).toEqual(['tickets']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '400', '401', '404', '413']));
  });
});
