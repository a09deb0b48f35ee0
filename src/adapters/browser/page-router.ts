// Every request of a page (navigations, frames, subresources) is answered from Node: checked by the guard,
// fetched from the checked address, fulfilled. The browser itself never opens a connection. A redirect of the
// main document stops the navigation so the caller can check and load the next hop; other redirects are
// followed here, each hop checked.
import type { Route, WebSocketRoute } from 'playwright-core';
import type { BlockedRequest } from '../../core/ports.ts';
import { pinnedFetch, type PinnedResponse } from './pinned-fetch.ts';
import type { RequestGuard } from './request-guard.ts';

export const MAX_REDIRECTS = 10;
const MAX_BLOCKED_KEPT = 50;

export interface PageRouteState {
  blocked: BlockedRequest[];
  /** The document navigation the caller started and waits for; navigations the page starts itself are subresources here. */
  expectedNavigation?: string;
  /** Set when the main document answered with a redirect: the next hop, not yet checked. */
  redirectTo?: string;
  /** Why the main document was refused or failed, for the caller's error. */
  mainRefused?: string;
  mainFailed?: string;
}

export interface PageRouterOptions {
  guard: RequestGuard;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

function block(state: PageRouteState, url: string, reason: string): void {
  if (state.blocked.length < MAX_BLOCKED_KEPT) state.blocked.push({ url: url.slice(0, 2048), reason });
}

function isRedirect(response: PinnedResponse): boolean {
  return [301, 302, 303, 307, 308].includes(response.status) && typeof response.headers.location === 'string';
}

type Hop = { ok: true; response: PinnedResponse; url: string } | { ok: false; refused?: string; failed?: string };

async function fetchChecked(
  url: string,
  init: { method: string; headers: Record<string, string>; body: Buffer | null },
  options: PageRouterOptions,
): Promise<Hop> {
  const verdict = await options.guard.checkRequest(url);
  if (!verdict.ok)
    return verdict.unresolved ? { ok: false, failed: verdict.reason } : { ok: false, refused: verdict.reason };
  try {
    const response = await pinnedFetch({
      url: verdict.url,
      address: verdict.addresses[0]!,
      ...init,
      timeoutMs: options.requestTimeoutMs,
      maxBytes: options.maxResponseBytes,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ok: true, response, url };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      ok: false,
      failed: `${verdict.url.host}: ${code ? `${code} ` : ''}${(error as Error).message}`.slice(0, 300),
    };
  }
}

/** A subresource or frame: redirects followed here, each hop checked; 303 (and 301/302 after POST) turn into GET. */
async function fetchFollowing(
  url: string,
  init: { method: string; headers: Record<string, string>; body: Buffer | null },
  options: PageRouterOptions,
  state: PageRouteState,
): Promise<Hop> {
  let current = { url, ...init };
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const result = await fetchChecked(current.url, current, options);
    if (!result.ok) {
      if (result.refused) block(state, current.url, result.refused);
      return result;
    }
    if (!isRedirect(result.response)) return result;
    const next = new URL(result.response.headers.location!, current.url).href;
    const keepsMethod =
      result.response.status === 307 ||
      result.response.status === 308 ||
      current.method === 'GET' ||
      current.method === 'HEAD';
    current = keepsMethod
      ? { ...current, url: next }
      : { url: next, method: 'GET', headers: current.headers, body: null };
  }
  return { ok: false, failed: `more than ${MAX_REDIRECTS} redirects` };
}

async function handle(route: Route, state: PageRouteState, options: PageRouterOptions): Promise<void> {
  const request = route.request();
  const isMain =
    request.isNavigationRequest() &&
    request.frame().parentFrame() === null &&
    request.url() === state.expectedNavigation;
  if (isMain) state.expectedNavigation = undefined;
  const init = { method: request.method(), headers: await request.allHeaders(), body: request.postDataBuffer() };
  const result = isMain
    ? await fetchChecked(request.url(), init, options)
    : await fetchFollowing(request.url(), init, options, state);
  if (!result.ok) {
    if (isMain && result.refused) {
      state.mainRefused = result.refused;
      block(state, request.url(), result.refused);
    }
    if (isMain && result.failed) state.mainFailed = result.failed;
    await route.abort(result.refused ? 'blockedbyclient' : 'failed');
    return;
  }
  if (isMain && isRedirect(result.response)) {
    state.redirectTo = new URL(result.response.headers.location!, request.url()).href;
    await route.abort('aborted');
    return;
  }
  await route.fulfill({ status: result.response.status, headers: result.response.headers, body: result.response.body });
}

export function createPageRouter(state: PageRouteState, options: PageRouterOptions) {
  return {
    route: (route: Route): Promise<void> =>
      handle(route, state, options).catch(async () => {
        // The page or context may be closing (timeout, cancel): nothing is left to answer.
        await route.abort('failed').catch(() => undefined);
      }),
    /** WebSockets are not part of reading a page: refused, whatever their address. */
    webSocket: (ws: WebSocketRoute): void => {
      block(state, ws.url(), 'WebSockets are not opened by the browser agent');
      ws.close({ code: 1008, reason: 'refused' }).catch(() => undefined);
    },
  };
}
