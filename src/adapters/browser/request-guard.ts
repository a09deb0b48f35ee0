// Decides whether one request of a page may go out: the URL's shape (core's network guard), then every address
// its host resolves to. The addresses that passed are handed on, so the fetch connects to exactly those.
import { lookup as dnsLookup } from 'node:dns/promises';
import { judgeAddresses, parseFetchTarget, type NetworkAllowList } from '../../core/network-guard.ts';

/** Resolves a host name to its addresses (every family). */
export type Resolve = (hostname: string) => Promise<string[]>;

export const systemResolve: Resolve = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export type GuardVerdict =
  | { ok: true; url: URL; hostname: string; addresses: string[] }
  | { ok: false; reason: string; unresolved?: boolean };

export interface RequestGuard {
  check(rawUrl: string): Promise<GuardVerdict>;
}

export function createRequestGuard(options: { allow: NetworkAllowList; resolve?: Resolve }): RequestGuard {
  const resolve = options.resolve ?? systemResolve;
  return {
    async check(rawUrl) {
      const parsed = parseFetchTarget(rawUrl);
      if (!parsed.ok) return parsed;
      const { url, hostname, fixedAddresses } = parsed.target;
      let addresses = fixedAddresses;
      if (!addresses) {
        try {
          addresses = await resolve(hostname);
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'ERROR';
          return { ok: false, reason: `${hostname} could not be resolved (${code})`, unresolved: true };
        }
      }
      const verdict = judgeAddresses(hostname, addresses, options.allow);
      return verdict.ok ? { ok: true, url, hostname, addresses } : verdict;
    },
  };
}
