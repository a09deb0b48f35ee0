/// <reference lib="dom" />
// The Services section of the Devices page in Chromium: one declared service answers (a small HTTP server on
// loopback), one does not (a port nobody listens on); the page shows one ok and one failing with its reason,
// never the password of an endpoint; operators check again now, viewers get no button and a 403 if they force it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { KEYS, seriousViolations, signedIn, startConsoleLab, type ConsoleLab } from './console-fixtures.ts';

let lab: ConsoleLab;
let shop: Server;
let hits = 0;
let deadPort = 0;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  shop = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'text/plain' }).end('shop is fine');
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  const shopPort = (shop.address() as AddressInfo).port;
  deadPort = await freePort();
  lab = await startConsoleLab({
    TWISTERLAB_SERVICES: `shop=http://shopuser:hunter2secret@127.0.0.1:${shopPort}/health,ledger=tcp://127.0.0.1:${deadPort}`,
  });
}, 240_000);
afterAll(async () => {
  await lab?.close();
  await new Promise<void>((resolve) => shop?.close(() => resolve()));
});

async function openServices(key: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const { context, page } = await signedIn(lab, key);
  await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('heading', { name: 'Services' }).waitFor();
  await page.locator('tr[data-service="ledger"]').waitFor();
  return { page, close: () => context.close() };
}

describe('services on the Devices page', () => {
  it('shows the healthy service as ok and the unreachable one as failing with why, without the password', async () => {
    const { page, close } = await openServices(KEYS.bot);
    const shopRow = page.locator('tr[data-service="shop"]');
    const ledgerRow = page.locator('tr[data-service="ledger"]');
    expect(await shopRow.getAttribute('data-healthy')).toBe('true');
    expect(await shopRow.getByTestId('service-health').textContent()).toMatch(/^ok · \d+ ms · checked /);
    expect(await shopRow.textContent()).toContain('http');
    expect(await shopRow.textContent()).toContain('application');
    expect(await shopRow.textContent()).toContain('local');
    expect(await ledgerRow.getAttribute('data-healthy')).toBe('false');
    const ledgerHealth = await ledgerRow.getByTestId('service-health').textContent();
    expect(ledgerHealth).toMatch(/^failing: /);
    expect(ledgerHealth).toMatch(/refused|ECONNREFUSED|unreachable/i);
    expect(await ledgerRow.textContent()).toContain('network');
    const body = await page.locator('body').textContent();
    expect(body).not.toContain('hunter2secret');
    expect(body).toContain(`127.0.0.1:${deadPort}`);
    expect(await seriousViolations(page)).toEqual([]);
    await close();
  });

  it('lets an operator check a service again now, from the keyboard', async () => {
    const { page, close } = await openServices(KEYS.bot);
    const before = hits;
    const button = page.getByRole('button', { name: 'Check now shop', exact: true });
    await button.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => hits).toBeGreaterThan(before);
    await expect
      .poll(() => page.locator('tr[data-service="shop"]').getByTestId('service-health').textContent())
      .toMatch(/^ok · /);
    await close();
  });

  it('shows a viewer the health but no check button, and the API refuses the forced request', async () => {
    const { page, close } = await openServices(KEYS.vera);
    expect(await page.locator('tr[data-service="shop"]').getAttribute('data-healthy')).toBe('true');
    expect(await page.getByRole('button', { name: /^Check now/ }).count()).toBe(0);
    const forced = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const response = await fetch('/api/v1/services/shop/check', {
        method: 'POST',
        headers: { 'x-csrf-token': session.csrfToken },
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    expect(forced).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'FORBIDDEN' }) } });
    await close();
  });

  it('answers 404 naming an undeclared service', async () => {
    const res = await lab.rt.app.inject({
      method: 'POST',
      url: '/api/v1/services/nope/check',
      headers: { 'x-api-key': KEYS.bot },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('"nope"');
  });
});
