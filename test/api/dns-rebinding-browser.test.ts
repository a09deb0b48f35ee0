// DNS rebinding against a keyless instance, played in a real Chromium: a page is served as evil.example:PORT, then
// the name points at 127.0.0.1 (Chromium maps it there), and the page's same-origin requests reach TwisterLab's
// port. They carry Host evil.example:PORT and must be refused; nothing may be created. A page of another origin
// posting to localhost is refused by its Origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let rt: TestRuntime;
let browser: Browser;
let port: number;

const ATTACK = `<!doctype html><title>pending</title><script>
  (async () => {
    const results = [];
    const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body) })
      .then(async (r) => r.status + ' ' + (await r.text()).slice(0, 120), (e) => 'failed ' + e.message);
    results.push(await post(TARGET + '/api/v1/tickets', { description: 'rebound ticket' }));
    results.push(await post(TARGET + '/mcp', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }));
    results.push(await fetch(TARGET + '/api/v1/agents').then((r) => r.status + ' ' + r.statusText, (e) => 'failed ' + e.message));
    document.title = JSON.stringify(results);
  })();
</script>`;

beforeAll(async () => {
  rt = await startTestRuntime('pglite');
  port = Number(new URL(await rt.app.listen({ host: '127.0.0.1', port: 0 })).port);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP evil.example 127.0.0.1',
      // Chromium's own Private/Local Network Access checks would stop the rebound requests before they are sent;
      // other browsers (and older Chromium) send them, so the server must refuse them itself: off here.
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,PrivateNetworkAccessForNavigations,PrivateNetworkAccessForWorkers,LocalNetworkAccessChecks',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rt?.close();
});

/** The attacker's document is served once as `origin`; every later request goes to the network, i.e. to TwisterLab. */
async function attack(origin: string, target: string): Promise<string[]> {
  const context: BrowserContext = await browser.newContext();
  try {
    let served = false;
    await context.route('**/*', async (route) => {
      if (!served && route.request().url() === `${origin}/`) {
        served = true;
        await route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: ATTACK.replace(/TARGET/g, JSON.stringify(target)),
        });
      } else await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    // A string: this project has no DOM types.
    await page.waitForFunction("document.title !== 'pending'", undefined, { timeout: 60_000 });
    return JSON.parse(await page.title()) as string[];
  } finally {
    await context.close();
  }
}

async function ticketDescriptions(): Promise<string[]> {
  const list = await rt.app.inject({ method: 'GET', url: '/api/v1/tickets' });
  return (list.json() as { items: Array<{ description: string }> }).items
    .map((t) => t.description)
    .filter((d) => d === 'rebound ticket');
}

describe('DNS rebinding in a real browser', () => {
  it('refuses the rebound page on every route, REST and MCP, and creates nothing', async () => {
    const results = await attack(`http://evil.example:${port}`, '');
    expect(results).toHaveLength(3);
    for (const result of results.slice(0, 2)) expect(result).toMatch(/^403 .*HOST_NOT_ALLOWED/);
    expect(results[2]).toMatch(/^403 /);
    expect(await ticketDescriptions()).toEqual([]);
  }, 120_000);

  it('refuses a page of another origin posting to the instance by its loopback name', async () => {
    const results = await attack(`http://evil.example:${port + 1}`, `http://127.0.0.1:${port}`);
    // The browser may hide the answer from the page (CORS); what matters is that nothing was created.
    expect(
      results.slice(0, 2).every((r) => /^403 |^failed /.test(r)),
      JSON.stringify(results),
    ).toBe(true);
    expect(await ticketDescriptions()).toEqual([]);
  }, 120_000);

  it('serves the same requests from a page of its own origin', async () => {
    const results = await attack(`http://localhost:${port}`, '');
    expect(results[0]).toMatch(/^20[12] /);
    expect(await ticketDescriptions()).toEqual(['rebound ticket']);
  }, 120_000);
});
