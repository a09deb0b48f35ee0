// The WebBrowser port on Debian's Chromium through playwright-core: one browser, launched on first use and again
// if it died, a fresh context per visit, every request of the page routed through the guard (page-router.ts).
import { access, constants } from 'node:fs/promises';
// playwright-core is loaded on the first visit: importing it costs ~90 MiB of RSS, which every process would
// otherwise carry (and every fork of a command would copy the page tables of).
import type { Browser, Page } from 'playwright-core';
import { TwisterError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { NetworkAllowList } from '../../core/network-guard.ts';
import type { PageVisit, VisitOptions, WebBrowser } from '../../core/ports.ts';
import { createPageRouter, MAX_REDIRECTS, type PageRouteState } from './page-router.ts';
import { createRequestGuard, type Resolve } from './request-guard.ts';

export interface ChromiumBrowserOptions {
  executablePath: string;
  allow: NetworkAllowList;
  /** Page scripts run only when enabled: the browser runs without its sandbox here. */
  javaScript: boolean;
  /** Bytes of visible text kept. */
  textCap: number;
  logger: Logger;
  resolve?: Resolve;
  maxResponseBytes?: number;
  viewport?: { width: number; height: number };
}

// Names never resolve inside Chromium (every request is answered from Node); WebRTC may not leak addresses.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--dns-prefetch-disable',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

// Evaluated in the page (a string: this project has no DOM types); innerText is what a person would see.
const VISIBLE_TEXT =
  "document.body ? document.body.innerText : (document.documentElement ? document.documentElement.textContent || '' : '')";

function capText(text: string, cap: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= cap) return { text, truncated: false };
  // A cut inside a multi-byte character leaves a replacement character: drop it.
  return {
    text: bytes
      .subarray(0, cap)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
    truncated: true,
  };
}

export function createChromiumBrowser(options: ChromiumBrowserOptions): WebBrowser & { launched(): boolean } {
  const guard = createRequestGuard({ allow: options.allow, ...(options.resolve ? { resolve: options.resolve } : {}) });
  let launching: Promise<Browser> | undefined;
  let closed = false;

  async function launch(): Promise<Browser> {
    try {
      await access(options.executablePath, constants.X_OK);
    } catch {
      throw new TwisterError(
        'BROWSER_UNAVAILABLE',
        `no Chromium at ${options.executablePath} (install Debian's chromium package, or set TWISTERLAB_BROWSER_EXECUTABLE)`,
      );
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium
      .launch({ executablePath: options.executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 })
      .catch((error: unknown) => {
        throw new TwisterError(
          'BROWSER_UNAVAILABLE',
          `Chromium did not start: ${(error as Error).message.split('\n')[0]}`,
        );
      });
    browser.on('disconnected', () => {
      if (!closed) options.logger.warn('the browser went away; the next visit starts a new one');
      launching = undefined;
    });
    return browser;
  }

  async function browser(): Promise<Browser> {
    if (closed) throw new TwisterError('SHUTTING_DOWN', 'the browser is closed');
    launching ??= launch().catch((error: unknown) => {
      launching = undefined;
      throw error;
    });
    const current = await launching;
    if (current.isConnected()) return current;
    launching = undefined;
    return browser();
  }

  async function visit(url: string, visitOptions: VisitOptions): Promise<PageVisit> {
    const first = await guard.check(url);
    if (!first.ok)
      throw new TwisterError(first.unresolved ? 'PAGE_LOAD_FAILED' : 'URL_NOT_ALLOWED', first.reason, { url });
    const started = Date.now();
    const deadline = started + visitOptions.timeoutMs;
    const context = await (
      await browser()
    ).newContext({
      javaScriptEnabled: options.javaScript,
      serviceWorkers: 'block',
      acceptDownloads: false,
      viewport: options.viewport ?? { width: 1280, height: 800 },
    });
    // Fetches still in flight when the visit ends (a timeout, a page that never answers) are cut with it.
    const visitEnded = new AbortController();
    const signal = visitOptions.signal ? AbortSignal.any([visitOptions.signal, visitEnded.signal]) : visitEnded.signal;
    const onAbort = () => void context.close().catch(() => undefined);
    visitOptions.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const state: PageRouteState = { blocked: [] };
      const router = createPageRouter(state, {
        guard,
        requestTimeoutMs: visitOptions.timeoutMs,
        maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
        signal,
      });
      await context.route('**/*', router.route);
      await context.routeWebSocket(/.*/, router.webSocket);
      const page = await context.newPage();
      // Chromium is given the URL the guard read, in its serialised form, never the caller's spelling of it.
      const { status, finalUrl, redirects } = await navigate(page, first.url.href, state, deadline);
      const navigationMs = Date.now() - started;
      const title = await page.title();
      const visible = capText(String(await page.evaluate(VISIBLE_TEXT)), options.textCap);
      const png = visitOptions.screenshot
        ? await takeScreenshot(page, visitOptions.screenshot.fullPage, deadline)
        : undefined;
      return {
        url,
        finalUrl,
        redirects,
        status,
        title,
        text: visible.text,
        textTruncated: visible.truncated,
        blocked: state.blocked,
        navigationMs,
        ...(png ? { png: new Uint8Array(png) } : {}),
      };
    } catch (error) {
      throw visitOptions.signal?.aborted
        ? new TwisterError('CAPABILITY_ABORTED', 'the visit was cancelled')
        : toVisitError(error, url, visitOptions.timeoutMs);
    } finally {
      visitOptions.signal?.removeEventListener('abort', onAbort);
      visitEnded.abort();
      await context.close().catch(() => undefined);
    }
  }

  return {
    visit,
    launched: () => launching !== undefined,
    async close() {
      closed = true;
      const pending = launching;
      launching = undefined;
      if (pending) await (await pending.catch(() => undefined))?.close().catch(() => undefined);
    },
  };
}

const MAX_SCREENSHOT_HEIGHT = 16_384;
const PAGE_HEIGHT =
  'Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, document.body ? document.body.scrollHeight : 0)';

/** The viewport, or the page down to a height limit (a page can be made arbitrarily tall), at the viewport's width. */
async function takeScreenshot(page: Page, fullPage: boolean, deadline: number): Promise<Buffer> {
  const timeout = Math.max(1_000, deadline - Date.now());
  if (!fullPage) return page.screenshot({ type: 'png', timeout });
  const width = page.viewportSize()?.width ?? 1280;
  const height = Math.min(MAX_SCREENSHOT_HEIGHT, Math.max(1, Number(await page.evaluate(PAGE_HEIGHT)) || 1));
  return page.screenshot({ type: 'png', timeout, fullPage: true, clip: { x: 0, y: 0, width, height } });
}

/** Loads the URL, following main-document redirects one checked hop at a time. */
async function navigate(
  page: Page,
  url: string,
  state: PageRouteState,
  deadline: number,
): Promise<{ status: number; finalUrl: string; redirects: string[] }> {
  const redirects: string[] = [];
  let target = url;
  for (;;) {
    state.redirectTo = undefined;
    const expected = new URL(target);
    expected.hash = '';
    state.expectedNavigation = expected.href;
    const timeout = deadline - Date.now();
    if (timeout <= 0) throw new TwisterError('PAGE_TIMEOUT', `${url} did not load in time`, { url, redirects });
    const response = await page.goto(target, { waitUntil: 'load', timeout }).catch((error: unknown) => {
      if (state.redirectTo || state.mainRefused || state.mainFailed) return null;
      throw error;
    });
    if (state.mainRefused) throw new TwisterError('URL_NOT_ALLOWED', state.mainRefused, { url: target, redirects });
    if (state.mainFailed) throw new TwisterError('PAGE_LOAD_FAILED', state.mainFailed, { url: target, redirects });
    if (!state.redirectTo) return { status: response?.status() ?? 0, finalUrl: page.url(), redirects };
    if (redirects.length >= MAX_REDIRECTS)
      throw new TwisterError('PAGE_LOAD_FAILED', `more than ${MAX_REDIRECTS} redirects`, { url, redirects });
    target = state.redirectTo;
    redirects.push(target);
  }
}

function toVisitError(error: unknown, url: string, timeoutMs: number): TwisterError {
  if (error instanceof TwisterError) return error;
  // playwright's TimeoutError, recognised by name so the module need not be loaded to classify errors.
  if (error instanceof Error && error.name === 'TimeoutError')
    return new TwisterError('PAGE_TIMEOUT', `${url} did not load within ${timeoutMs} ms`, { url });
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return new TwisterError('PAGE_LOAD_FAILED', message.slice(0, 300), { url });
}

export type ChromiumBrowser = ReturnType<typeof createChromiumBrowser>;
