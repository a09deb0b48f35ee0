// The browser allow-list binds a host to a port: with `allowed.test:A` and `127.0.0.1:A` allowed, only port A
// of loopback is ever fetched, whatever the URL's spelling (backslashes, user-info, tabs, percent-encoded or
// shorthand IPv4, mapped IPv6) and whoever asks (the caller, a redirect, a subresource, a page script). Two real
// listeners on 127.0.0.1: A, allowed, and B, which records every request that reaches it (none may).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileArtifactStore } from '../../src/adapters/artifacts/file-artifact-store.ts';
import { createChromiumBrowser, type ChromiumBrowser } from '../../src/adapters/browser/chromium-browser.ts';
import { createBrowserAgent } from '../../src/agents/browser/browser-agent.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { parseNetworkAllowList } from '../../src/core/network-guard.ts';
import { CapabilityRegistry } from '../../src/core/registry.ts';

type Result =
  | { ok: true; output: { title: string; final_url: string; blocked: Array<{ url: string; reason: string }> } }
  | { ok: false; error: { code: string; message: string } };

const servers: Server[] = [];
const browsers: ChromiumBrowser[] = [];
let artifactsDir: string;
let A: number;
let B: number;
const hitsA: string[] = [];
const hitsB: string[] = [];
let registry: CapabilityRegistry;
let scripted: CapabilityRegistry;

const html = (res: ServerResponse, body: string): void =>
  void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);

/** Pages on A that lead to B in every way a page can. */
function allowedSite(req: IncomingMessage, res: ServerResponse): void {
  hitsA.push(req.url ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  const other = [
    `http://127.0.0.1:${B}/img`,
    `http://127.1:${B}/short`,
    `http://0x7f.1:${B}/hex`,
    `http://allowed.test:${B}/name`,
    `http://[::ffff:127.0.0.1]:${B}/mapped`,
    `http://allowed.test\\@127.0.0.1:${B}/backslash`,
    `//127.0.0.1:${B}/relative`,
    `http://allowed.test@127.0.0.1:${B}/userinfo`,
    `http://%31%32%37.0.0.1:${B}/percent`,
  ];
  switch (url.pathname) {
    case '/page':
      return html(
        res,
        `<!doctype html><title>Allowed page</title><p>fine</p>${other.map((u) => `<img src="${u}">`).join('')}
        <iframe src="http://127.0.0.1:${B}/frame"></iframe><link rel="stylesheet" href="http://127.0.0.1:${B}/css"><script src="http://127.0.0.1:${B}/js"></script>`,
      );
    case '/refresh':
      return html(
        res,
        `<title>Refresh</title><meta http-equiv="refresh" content="0;url=http://127.0.0.1:${B}/refreshed">`,
      );
    case '/script':
      return html(
        res,
        `<title>Script</title><script>
        fetch('http://127.0.0.1:${B}/fetch').catch(() => {});
        fetch('http://allowed.test\\\\@127.0.0.1:${B}/fetch-backslash').catch(() => {});
        navigator.sendBeacon('http://127.1:${B}/beacon', 'x');
        new Image().src = 'http://0x7f.1:${B}/image';
        document.title = 'Script ran';
      </script>`,
      );
    case '/redirect':
      return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/page' }).end();
    default:
      return html(res, `<title>Allowed ${url.pathname}</title><p>port A</p>`);
  }
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

// allowed.test is a name the tests own: it resolves to loopback, as an intranet name would.
const resolve = async (name: string) => {
  if (name === 'allowed.test') return ['127.0.0.1'];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

function makeRegistry(javaScript: boolean): CapabilityRegistry {
  const allow = parseNetworkAllowList(`allowed.test:${A}, 127.0.0.1:${A}`);
  const browser = createChromiumBrowser({
    executablePath: '/usr/bin/chromium',
    allow,
    javaScript,
    textCap: 65_536,
    logger: silentLogger,
    resolve,
  });
  browsers.push(browser);
  const r = new CapabilityRegistry({ logger: silentLogger });
  r.register(
    createBrowserAgent({ browser, artifacts: createFileArtifactStore({ dir: artifactsDir }), timeoutMs: 20_000 }),
  );
  return r;
}

beforeAll(async () => {
  A = await listen(allowedSite);
  B = await listen((req, res) => {
    hitsB.push(req.url ?? '');
    html(res, '<title>internal secret</title>');
  });
  artifactsDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-ports-'));
  registry = makeRegistry(false);
  scripted = makeRegistry(true);
});

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(artifactsDir, { recursive: true, force: true });
});

const browse = (url: string, r = registry) => r.invoke('browser.browse', { url }, { actor: 'test' }) as Promise<Result>;

describe('a browser allow-list entry with a port', () => {
  it('refuses every spelling of the allowed host on another port, and of another host behind the allowed one', async () => {
    const corpus = [
      `http://allowed.test\\@127.0.0.1:${B}/`,
      `http://allowed.test@127.0.0.1:${B}/`,
      `http://allowed.test:${A}@127.0.0.1:${B}/`,
      `http://127.0.0.1:${A}@127.0.0.1:${B}/`,
      `http://127.0.0.1:${A}\t@127.0.0.1:${B}/`,
      `http://a@b@127.0.0.1:${B}/`,
      `http://allowed.test%40127.0.0.1@127.0.0.1:${B}/`,
      `http://:@127.0.0.1:${B}/`.replace('http://:@', 'http://x:@'),
      `http://allowed.test:${B}/`,
      `http://allowed.test/`,
      `https://allowed.test/`,
      `http://127.0.0.1:${B}/`,
      `http://127.1:${B}/`,
      `http://0x7f.1:${B}/`,
      `http://2130706433:${B}/`,
      `http://0177.0.0.1:${B}/`,
      `http://[::ffff:127.0.0.1]:${B}/`,
      `http://[::ffff:7f00:1]:${B}/`,
      `http://%31%32%37.0.0.1:${B}/`,
      `http://127.0.0.1:0${B}/`,
      `http://127.0.0.1.:${B}/`,
      `http:/\\127.0.0.1:${B}/`,
      `http:127.0.0.1:${B}/`,
      `http://127.0.0.1:${B}\t/`,
      `http://127.0.\n0.1:${B}/`,
      `HTTP://127.0.0.1:${B}/`,
      `http://localhost:${A}/`,
      `http://[::1]:${A}/`,
      `http://127.0.0.2:${A}/`,
      `http://127.0.0.1:${A + 1}/`,
      `http://127.0.0.1/`,
      `http://[64:ff9b::127.0.0.1]:${A}/`,
      `http://[::127.0.0.1]:${A}/`,
      `http://[2002:7f00:1::1]:${A}/`,
      `http://[::ffff:0:127.0.0.1]:${A}/`,
      `http://0.0.0.0:${A}/`,
      `http://0:${B}/`,
      `http://[::]:${A}/`,
    ];
    const admitted: string[] = [];
    for (const url of corpus) {
      const result = await browse(url);
      if (result.ok || result.error.code !== 'URL_NOT_ALLOWED')
        admitted.push(`${JSON.stringify(url)} -> ${JSON.stringify(result)}`);
    }
    expect(admitted).toEqual([]);
    expect(hitsB).toEqual([]);
  }, 120_000);

  it('fetches the allowed port by name and by any spelling of its address, the path staying a path', async () => {
    for (const url of [
      `http://allowed.test:${A}/one`,
      `http://127.0.0.1:${A}/two`,
      `http://0x7f.1:${A}/three`,
      `http://127.1:${A}/four`,
    ]) {
      expect(await browse(url), url).toMatchObject({ ok: true, output: { title: expect.stringMatching(/^Allowed/) } });
    }
    // A backslash ends the host: what follows it is a path on the allowed endpoint, not another authority.
    const backslash = await browse(`http://allowed.test:${A}\\@127.0.0.1:${B}/`);
    expect(backslash).toMatchObject({ ok: true, output: { final_url: `http://allowed.test:${A}/@127.0.0.1:${B}/` } });
    expect(hitsA).toEqual(expect.arrayContaining(['/one', '/two', '/three', '/four', `/@127.0.0.1:${B}/`]));
    expect(hitsB).toEqual([]);
  });

  it('blocks the subresources of an allowed page that lead to the other port', async () => {
    const result = await browse(`http://127.0.0.1:${A}/page`);
    expect(result).toMatchObject({ ok: true, output: { title: 'Allowed page' } });
    const blocked = (result as Extract<Result, { ok: true }>).output.blocked.map((b) => b.url);
    expect(blocked).toEqual(
      expect.arrayContaining([
        `http://127.0.0.1:${B}/img`,
        `http://127.0.0.1:${B}/short`,
        `http://127.0.0.1:${B}/hex`,
        `http://allowed.test:${B}/name`,
        `http://[::ffff:7f00:1]:${B}/mapped`,
        `http://127.0.0.1:${B}/relative`,
        `http://127.0.0.1:${B}/percent`,
        `http://127.0.0.1:${B}/frame`,
        `http://127.0.0.1:${B}/css`,
        `http://allowed.test/@127.0.0.1:${B}/backslash`,
      ]),
    );
    // Chromium itself drops subresources whose URL carries user-info; either way nothing reaches B.
    expect(hitsB).toEqual([]);
  });

  it('refuses redirects and page navigations to the other port', async () => {
    for (const to of [
      `http://127.0.0.1:${B}/`,
      `http://allowed.test:${B}/`,
      `http://127.1:${B}/`,
      `http://allowed.test@127.0.0.1:${B}/`,
      `http://allowed.test/`,
    ]) {
      expect(await browse(`http://allowed.test:${A}/redirect?to=${encodeURIComponent(to)}`), to).toMatchObject({
        ok: false,
        error: { code: 'URL_NOT_ALLOWED' },
      });
    }
    const refreshed = await browse(`http://127.0.0.1:${A}/refresh`);
    // The page's own navigation away is refused (the visit may then fail to read the page): nothing of B is read.
    expect(JSON.stringify(refreshed)).not.toContain('internal secret');
    expect(hitsB).toEqual([]);
  });

  it('keeps page scripts (when enabled) off the other port', async () => {
    const result = await browse(`http://127.0.0.1:${A}/script`, scripted);
    expect(result).toMatchObject({ ok: true, output: { title: 'Script ran' } });
    const blocked = (result as Extract<Result, { ok: true }>).output.blocked.map((b) => b.url);
    expect(blocked).toEqual(
      expect.arrayContaining([
        `http://127.0.0.1:${B}/fetch`,
        `http://127.0.0.1:${B}/beacon`,
        `http://127.0.0.1:${B}/image`,
      ]),
    );
    expect(hitsB).toEqual([]);
  });
});
