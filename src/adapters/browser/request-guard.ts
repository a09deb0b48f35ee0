// Decides whether one request of a page may go out: the URL's shape (core's network guard), then every address
// its host resolves to, on the port the request goes to. The addresses that passed are handed on, so the fetch
// connects to exactly those; the URL that passed is the one fetched.
import { lookup as dnsLookup } from 'node:dns/promises';
import {
  judgeAddresses,
  parseFetchTarget,
  serialisedAuthority,
  type NetworkAllowList,
} from '../../core/network-guard.ts';

/** Resolves a host name to its addresses (every family). */
export type Resolve = (hostname: string) => Promise<string[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export type GuardVerdict =
  { ok: true; url: URL; hostname: string; addresses: string[] } | { ok: false; reason: string; unresolved?: boolean };

export interface RequestGuard {
  /** A URL given by a caller, read by the WHATWG parser as the browser will read it. */
  check(rawUrl: string): Promise<GuardVerdict>;
  /**
   * A URL the browser is about to request (already serialised by Chromium): also refused when its host and port
   * do not read back the same here, so the guard never judges one place while the browser meant another.
   */
  checkRequest(href: string): Promise<GuardVerdict>;
}

export function createRequestGuard(options: { allow: NetworkAllowList; resolve?: Resolve }): RequestGuard {
  const resolve = options.resolve ?? systemResolve;
  const guard: RequestGuard = {
    async checkRequest(href) {
      const parsed = parseFetchTarget(href);
      if (!parsed.ok) return parsed;
      const authority = serialisedAuthority(href);
      if (authority !== parsed.target.url.host) {
        return {
          ok: false,
          reason: `the browser asked for ${JSON.stringify(authority ?? href)}, which does not read back as ${parsed.target.url.host}`,
        };
      }
      return guard.check(href);
    },
    async check(rawUrl) {
      const parsed = parseFetchTarget(rawUrl);
      if (!parsed.ok) return parsed;
      const { url, hostname, port, fixedAddresses } = parsed.target;
      let addresses = fixedAddresses;
      if (!addresses) {
        try {
          addresses = await resolve(hostname);
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'ERROR';
          return { ok: false, reason: `${hostname} could not be resolved (${code})`, unresolved: true };
        }
      }
      const verdict = judgeAddresses(hostname, addresses, options.allow, port);
      return verdict.ok ? { ok: true, url, hostname, addresses } : verdict;
    },
  };
  return guard;
}
