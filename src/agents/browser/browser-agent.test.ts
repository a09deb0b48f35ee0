import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createFileArtifactStore } from '../../adapters/artifacts/file-artifact-store.ts';
import { createChromiumBrowser, type ChromiumBrowser } from '../../adapters/browser/chromium-browser.ts';
import { silentLogger } from '../../core/logger.ts';
import { parseNetworkAllowList } from '../../core/network-guard.ts';
import { CapabilityRegistry } from '../../core/registry.ts';
import { PNG_SIGNATURE, startWebFixtures, type WebFixtures } from '../../../test/helpers/web-fixtures.ts';
import { createBrowserAgent } from './browser-agent.ts';

let web: WebFixtures;
let browser: ChromiumBrowser;
let registry: CapabilityRegistry;
let artifactsDir: string;

beforeAll(async () => {
  web = await startWebFixtures();
  artifactsDir = mkdtempSync(path.join(tmpdir(), 'twisterlab-artifacts-'));
  browser = createChromiumBrowser({
    executablePath: '/usr/bin/chromium',
    allow: parseNetworkAllowList('127.0.0.2/32'),
    javaScript: false,
    textCap: 65_536,
    logger: silentLogger,
  });
  registry = new CapabilityRegistry({ logger: silentLogger });
  // The visit timeout is not what these tests are about (PAGE_TIMEOUT has its own): room for a loaded machine.
  registry.register(
    createBrowserAgent({ browser, artifacts: createFileArtifactStore({ dir: artifactsDir }), timeoutMs: 25_000 }),
  );
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  rmSync(artifactsDir, { recursive: true, force: true });
});

const call = (id: string, input: unknown) => registry.invoke(id, input, { actor: 'test' });

const output = (result: Awaited<ReturnType<typeof call>>): any => {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.output;
};

describe('browser.browse', () => {
  it('returns status, title, visible text (not hidden text), final URL and timing', async () => {
    const page = output(await call('browser.browse', { url: `${web.site}/page` }));
    expect(page).toMatchObject({
      url: `${web.site}/page`,
      final_url: `${web.site}/page`,
      status: 200,
      title: 'Status page',
      redirects: [],
      text_truncated: false,
    });
    expect(page.text).toContain('All systems operational');
    expect(page.text).toContain('Shop: up');
    expect(page.text).not.toContain('hidden secret words');
    expect(page.timing.navigation_ms).toBeGreaterThan(0);
    expect(page.timing.total_ms).toBeGreaterThanOrEqual(page.timing.navigation_ms);
  });

  it('follows redirects within allowed addresses and reports each hop', async () => {
    const to = encodeURIComponent(`${web.site}/redirect?to=/page`);
    const page = output(await call('browser.browse', { url: `${web.site}/redirect?to=${to}` }));
    expect(page.final_url).toBe(`${web.site}/page`);
    expect(page.redirects).toEqual([`${web.site}/redirect?to=/page`, `${web.site}/page`]);
    expect(page.title).toBe('Status page');
  });

  it('reports an error status as a finding, not a failure', async () => {
    expect(output(await call('browser.browse', { url: `${web.site}/missing` }))).toMatchObject({
      status: 404,
      title: 'Not here',
    });
  });

  it('caps visible text at the byte limit without splitting a character', async () => {
    const page = output(await call('browser.browse', { url: `${web.site}/big` }));
    expect(page.text_truncated).toBe(true);
    expect(Buffer.byteLength(page.text, 'utf8')).toBeLessThanOrEqual(65_536);
    expect(Buffer.byteLength(page.text, 'utf8')).toBeGreaterThan(65_000);
    expect(page.text).not.toContain('\uFFFD');
  });

  it('reads compressed responses', async () => {
    expect(output(await call('browser.browse', { url: `${web.site}/gzip` }))).toMatchObject({
      title: 'Zipped',
      text: 'compressed body',
    });
  });

  it('does not run page scripts by default: the page is data', async () => {
    const page = output(await call('browser.browse', { url: `${web.site}/script` }));
    expect(page).toMatchObject({ title: 'Static title', final_url: `${web.site}/script` });
    expect(page.text).toContain('before');
    expect(web.internalHits).toEqual([]);
  });

  // The page never answers. The browser's own navigation timeout (30 s) is longer than this test may run,
  // so only the agent's 800 ms can end the visit with PAGE_TIMEOUT before the test times out.
  it('stops a page that does not answer with PAGE_TIMEOUT', async () => {
    const slow = createBrowserAgent({
      browser,
      artifacts: createFileArtifactStore({ dir: artifactsDir }),
      timeoutMs: 800,
    });
    await expect(
      slow.capabilities[0]!.run(
        { url: `${web.site}/slow` },
        { signal: new AbortController().signal, logger: silentLogger, deps: slow.deps, actor: 'test' },
      ),
    )
      // Either message is the agent's deadline: spent before the navigation began, or during it.
      .rejects.toMatchObject({
        code: 'PAGE_TIMEOUT',
        message: expect.stringMatching(/did not load (in time|within 800 ms)$/),
      });
  }, 25_000);

  it('fails with PAGE_LOAD_FAILED on a redirect loop and on a refused connection', async () => {
    expect(await call('browser.browse', { url: `${web.site}/loop` })).toMatchObject({
      ok: false,
      error: { code: 'PAGE_LOAD_FAILED', message: expect.stringContaining('redirects') },
    });
    expect(await call('browser.browse', { url: 'http://127.0.0.2:1/' })).toMatchObject({
      ok: false,
      error: { code: 'PAGE_LOAD_FAILED', message: expect.stringContaining('ECONNREFUSED') },
    });
  });

  it('rejects unknown input fields', async () => {
    expect(await call('browser.browse', { url: `${web.site}/page`, wait: true })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});

describe('browser.screenshot', () => {
  it('stores a PNG artifact with a sidecar description and returns its id', async () => {
    const shot = output(await call('browser.screenshot', { url: `${web.site}/page` }));
    expect(shot).toMatchObject({
      content_type: 'image/png',
      href: `/api/v1/artifacts/${shot.artifact_id}`,
      status: 200,
      title: 'Status page',
    });
    const png = readFileSync(path.join(artifactsDir, `${shot.artifact_id}.png`));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBe(shot.bytes);
    expect(png.readUInt32BE(16)).toBe(1280);
    const sidecar = JSON.parse(readFileSync(path.join(artifactsDir, `${shot.artifact_id}.json`), 'utf8'));
    expect(sidecar).toMatchObject({
      id: shot.artifact_id,
      kind: 'screenshot',
      sha256: shot.sha256,
      source: { url: `${web.site}/page`, actor: 'test' },
    });
  });

  it('takes the whole page when asked', async () => {
    const shot = output(await call('browser.screenshot', { url: `${web.site}/tall`, full_page: true }));
    const png = readFileSync(path.join(artifactsDir, `${shot.artifact_id}.png`));
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBeGreaterThan(800);
  });

  it('cuts a whole-page screenshot of an endless page at 16384 pixels', async () => {
    const shot = output(await call('browser.screenshot', { url: `${web.site}/endless`, full_page: true }));
    const png = readFileSync(path.join(artifactsDir, `${shot.artifact_id}.png`));
    expect(png.readUInt32BE(20)).toBe(16_384);
  });
});

describe('the shared browser', () => {
  it('is started again after it died', async () => {
    output(await call('browser.browse', { url: `${web.site}/page` }));
    expect(browser.launched()).toBe(true);
    // Kill our own Chromium child as a crash would.
    const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    const pids = children
      .split('\n')
      .filter((line) => /chrom/i.test(line))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await expect.poll(() => browser.launched(), { timeout: 5_000 }).toBe(false);
    expect(output(await call('browser.browse', { url: `${web.site}/page` })).title).toBe('Status page');
  });

  it('answers BROWSER_UNAVAILABLE when Chromium is not installed', async () => {
    const missing = createChromiumBrowser({
      executablePath: '/nonexistent/chromium',
      allow: parseNetworkAllowList('127.0.0.2/32'),
      javaScript: false,
      textCap: 1024,
      logger: silentLogger,
    });
    const agent = createBrowserAgent({
      browser: missing,
      artifacts: createFileArtifactStore({ dir: artifactsDir }),
      timeoutMs: 2_000,
    });
    const local = new CapabilityRegistry({ logger: silentLogger });
    local.register(agent);
    expect(await local.invoke('browser.browse', { url: `${web.site}/page` }, { actor: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'BROWSER_UNAVAILABLE', message: expect.stringContaining('/nonexistent/chromium') },
    });
  });
});
