// SSRF attempts against the browser agent on a real Chromium: internal addresses in every spelling, names that
// resolve inside, redirects and subresources that lead inside, page scripts, DNS rebinding, other schemes.
// Internal servers listen on 127.0.0.1 and ::1 on the site's port and count what reaches them: nothing may.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArtifactStore } from '../../src/adapters/artifacts/file-artifact-store.ts';
import { createChromiumBrowser, type ChromiumBrowser } from '../../src/adapters/browser/chromium-browser.ts';
import { createBrowserAgent } from '../../src/agents/browser/browser-agent.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { parseNetworkAllowList } from '../../src/core/network-guard.ts';
import { CapabilityRegistry } from '../../src/core/registry.ts';
import { startWebFixtures, type WebFixtures } from '../helpers/web-fixtures.ts';

let web: WebFixtures;
let artifactsDir: string;
const browsers: ChromiumBrowser[] = [];
let registry: CapabilityRegistry;
let scripted: CapabilityRegistry;
const lookups = new Map<string, number>();

// A resolver for names the tests own (no DNS server here): as a hostile DNS zone would answer.
const ZONE: Record<string, (count: number) => string[]> = {
  'evil.test': () => ['127.0.0.1'],
  'metadata.test': () => ['169.254.169.254'],
  'v6-loopback.test': () => ['::1'],
  'mapped.test': () => ['::ffff:127.0.0.1'],
  'nat64.test': () => ['64:ff9b::7f00:1'],
  'mixed.test': () => ['127.0.0.2', '10.0.0.1'],
  'site.test': () => ['127.0.0.2'],
  // Allowed for the first check and the document, loopback afterwards: the page loads, its later requests must not.
  'rebind.test': (count) => (count <= 2 ? ['127.0.0.2'] : ['127.0.0.1']),
  // Allowed for the first check only: the document itself must not be fetched from loopback.
  'rebind-early.test': (count) => (count === 1 ? ['127.0.0.2'] : ['127.0.0.1']),
};

async function resolve(hostname: string): Promise<string[]> {
  const count = (lookups.get(hostname) ?? 0) + 1;
  lookups.set(hostname, count);
  const answer = ZONE[hostname];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return answer(count);
}

function makeRegistry(javaScript: boolean): CapabilityRegistry {
  const browser = createChromiumBrowser({
    executablePath: '/usr/bin/chromium',
    allow: parseNetworkAllowList('127.0.0.2/32'),
    javaScript,
    textCap: 65_536,
    logger: silentLogger,
    resolve,
  });
  browsers.push(browser);
  const r = new CapabilityRegistry({ logger: silentLogger });
  // A generous visit timeout: the first visit also launches Chromium, slow on a loaded machine; no test here is about time.
  r.register(
    createBrowserAgent({ browser, artifacts: createFileArtifactStore({ dir: artifactsDir }), timeoutMs: 20_000 }),
  );
  return r;
}

beforeAll(async () => {
  web = await startWebFixtures();
  artifactsDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-ssrf-'));
  registry = makeRegistry(false);
  scripted = makeRegistry(true);
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await web?.close();
  rmSync(artifactsDir, { recursive: true, force: true });
});

const browse = (url: string, r = registry) => r.invoke('browser.browse', { url }, { actor: 'test' });

describe('URLs that point inside', () => {
  const p = () => web.port;
  const corpus = () => [
    `http://127.0.0.1:${p()}/`,
    `http://2130706433:${p()}/`,
    `http://0x7f000001:${p()}/`,
    `http://0x7f.1:${p()}/`,
    `http://0177.0.0.1:${p()}/`,
    `http://0177.1:${p()}/`,
    `http://127.1:${p()}/`,
    `http://127.0.1:${p()}/`,
    `http://127.0.0.1.:${p()}/`,
    `http://127.0.0.1%2e:${p()}/`,
    `http://0x7f.0x0.0x0.0x1:${p()}/`,
    `http://017700000001:${p()}/`,
    `http://[::1]:${p()}/`,
    `http://[0:0:0:0:0:0:0:1]:${p()}/`,
    `http://[::ffff:127.0.0.1]:${p()}/`,
    `http://[::ffff:7f00:1]:${p()}/`,
    `http://[64:ff9b::127.0.0.1]:${p()}/`,
    `http://[::127.0.0.1]:${p()}/`,
    `http://localhost:${p()}/`,
    `http://LOCALHOST.:${p()}/`,
    `http://app.localhost:${p()}/`,
    `http://0.0.0.0:${p()}/`,
    `http://0:${p()}/`,
    `http://[::]:${p()}/`,
    `http://user:pw@127.0.0.1:${p()}/`,
    `http://127.0.0.2@127.0.0.1:${p()}/`,
    `https://127.0.0.1:${p()}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://0xa9fea9fe/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.0.1/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    `http://evil.test:${p()}/`,
    'http://metadata.test/',
    `http://v6-loopback.test:${p()}/`,
    `http://mapped.test:${p()}/`,
    `http://nat64.test:${p()}/`,
    `http://mixed.test:${p()}/`,
  ];

  it('refuses every one with URL_NOT_ALLOWED, and none reaches a server', async () => {
    const outcomes = [];
    for (const url of corpus()) outcomes.push({ url, result: await browse(url) });
    const admitted = outcomes.filter((o) => o.result.ok || o.result.error.code !== 'URL_NOT_ALLOWED');
    expect(admitted.map((o) => `${o.url} -> ${JSON.stringify(o.result)}`)).toEqual([]);
    expect(corpus().length).toBeGreaterThanOrEqual(40);
    expect(web.internalHits).toEqual([]);
  }, 120_000);

  it('refuses other schemes before anything is loaded', async () => {
    for (const url of [
      'file:///etc/passwd',
      'FILE:///etc/passwd',
      'file://localhost/etc/passwd',
      'ftp://127.0.0.2/',
      `gopher://127.0.0.1:${web.port}/_GET`,
      'data:text/html,<title>x</title>',
      'javascript:alert(1)',
      `view-source:http://127.0.0.1:${web.port}/`,
      'chrome://version',
      'about:blank',
      `ws://127.0.0.2:${web.port}/`,
      'blob:http://127.0.0.2/x',
    ]) {
      expect(await browse(url), url).toMatchObject({
        ok: false,
        error: { code: 'URL_NOT_ALLOWED', message: expect.stringContaining('scheme') },
      });
    }
  });
});

describe('redirects and page requests that lead inside', () => {
  it('refuses a redirect of the page to an internal address, whatever its spelling', async () => {
    const targets = [
      `http://127.0.0.1:${web.port}/steal`,
      `http://2130706433:${web.port}/`,
      `http://[::1]:${web.port}/`,
      `http://[::ffff:127.0.0.1]:${web.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://localhost:${web.port}/`,
      `http://evil.test:${web.port}/`,
      'file:///etc/passwd',
    ];
    for (const to of targets) {
      const result = await browse(`${web.site}/redirect?to=${encodeURIComponent(to)}`);
      expect(result, to).toMatchObject({ ok: false, error: { code: 'URL_NOT_ALLOWED' } });
    }
    // Two allowed hops, then inside.
    const chain = `${web.site}/redirect?to=${encodeURIComponent(`${web.site}/redirect?to=${encodeURIComponent(`http://0x7f.1:${web.port}/`)}`)}`;
    expect(await browse(chain)).toMatchObject({
      ok: false,
      error: { code: 'URL_NOT_ALLOWED', details: { redirects: [expect.any(String), `http://127.0.0.1:${web.port}/`] } },
    });
    expect(web.internalHits).toEqual([]);
  });

  it('loads the page but blocks its images, frames and stylesheets on internal addresses', async () => {
    const result = await browse(`${web.site}/page`);
    expect(result.ok).toBe(true);
    const blocked = (result as { output: { blocked: Array<{ url: string }> } }).output.blocked.map((b) => b.url);
    expect(blocked).toEqual(
      expect.arrayContaining([
        `http://127.0.0.1:${web.port}/img`,
        `http://[::1]:${web.port}/frame`,
        'http://169.254.169.254/latest/meta-data/',
      ]),
    );
    expect(web.internalHits).toEqual([]);
  });

  it('keeps page scripts (when enabled) off internal addresses: fetch, images, WebSockets, navigation', async () => {
    const result = await browse(`${web.site}/script`, scripted);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    const output = (result as { output: { title: string; blocked: Array<{ url: string }> } }).output;
    expect(output.title).toBe('Changed by script');
    expect(output.blocked.map((b) => b.url)).toEqual(
      expect.arrayContaining([`http://127.0.0.1:${web.port}/fetch`, `http://127.0.0.1:${web.port}/beacon`]),
    );
    const navigated = await browse(`${web.site}/script-navigate`, scripted);
    expect(output.blocked.map((b) => b.url)).toContain(`ws://127.0.0.1:${web.port}/ws`);
    expect(navigated).toMatchObject({
      ok: true,
      output: { blocked: [{ url: `http://127.0.0.1:${web.port}/navigated` }] },
    });
    expect(JSON.stringify(navigated)).not.toContain('internal secret');
    expect(web.internalHits).toEqual([]);
  });

  it('checks every request again, so a name that rebinds to loopback after the first answer reaches nothing inside', async () => {
    lookups.delete('rebind.test');
    const result = await browse(`http://rebind.test:${web.port}/rebind`);
    expect(result).toMatchObject({ ok: true, output: { title: 'Rebind', text: 'first answer' } });
    const blocked = (result as { output: { blocked: Array<{ url: string; reason: string }> } }).output.blocked;
    expect(blocked).toEqual([
      {
        url: `http://rebind.test:${web.port}/pixel.png`,
        reason: expect.stringContaining('127.0.0.1, a loopback address'),
      },
    ]);
    expect(lookups.get('rebind.test')).toBe(3);
    expect(await browse(`http://rebind-early.test:${web.port}/rebind`)).toMatchObject({
      ok: false,
      error: { code: 'URL_NOT_ALLOWED' },
    });
    expect(web.internalHits).toEqual([]);
  });

  it('reaches a name whose every address is allowed, connecting to the address it checked', async () => {
    expect(await browse(`http://site.test:${web.port}/page`)).toMatchObject({
      ok: true,
      output: { title: 'Status page', final_url: `http://site.test:${web.port}/page` },
    });
  });

  it('reports a name that does not resolve as a load failure, not as refused', async () => {
    expect(await browse('http://nowhere.test/')).toMatchObject({
      ok: false,
      error: { code: 'PAGE_LOAD_FAILED', message: expect.stringContaining('ENOTFOUND') },
    });
  });
});
