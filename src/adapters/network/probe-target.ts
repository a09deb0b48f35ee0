// The egress rule for probes (certificate and reachability checks), the browser's: a host and port are reached
// only when every address the host resolves to is public, or the pair is trusted — on TWISTERLAB_PROBE_ALLOW (a
// host or block on every port, or `host:port`), or a declared service or device endpoint (that host on that port
// only: TwisterLab already talks to it there, and nowhere else). The checked address is what the probe connects
// to; a trusted name is passed on as it is.
import { lookup } from 'node:dns/promises';
import { endpointAllowList, normaliseEndpointHost, type Endpoint } from '../../core/declared-endpoints.ts';
import { parseIp } from '../../core/ip-address.ts';
import {
  HOST_NAME,
  isHostAllowed,
  judgeAddresses,
  mergeAllowLists,
  type NetworkAllowList,
} from '../../core/network-guard.ts';
import type { TargetVerdict } from '../../core/network-probes.ts';

export type Resolve = (hostname: string) => Promise<string[]>;

const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** Lower case, without brackets or a trailing dot; an IP address in its usual form. */
export const normaliseHost = normaliseEndpointHost;

async function addressesOf(host: string, literal: boolean, resolve: Resolve): Promise<string[] | { error: string }> {
  if (literal) return [host];
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1', '::1'];
  try {
    return await resolve(host);
  } catch (error) {
    return { error: (error as { code?: string }).code ?? 'error' };
  }
}

export function createProbeTargets(options: {
  allow: NetworkAllowList;
  declaredEndpoints: () => Iterable<Endpoint>;
  resolve?: Resolve;
}) {
  const resolve = options.resolve ?? systemResolve;
  return async (raw: string, port: number): Promise<TargetVerdict> => {
    const host = normaliseHost(raw);
    const literal = parseIp(host) !== undefined;
    if (!literal && !HOST_NAME.test(host))
      return { ok: false, reason: `"${raw}" is neither a host name nor an IP address`, unresolved: false };
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return { ok: false, reason: `port ${port} is not 1 to 65535`, unresolved: false };
    const servername = literal ? {} : { servername: host };
    const allow = mergeAllowLists(options.allow, endpointAllowList(options.declaredEndpoints()));
    if (!literal && isHostAllowed(host, allow, port))
      return { ok: true, target: { host, port, connectTo: host, ...servername } };
    const addresses = await addressesOf(host, literal, resolve);
    if ('error' in addresses)
      return { ok: false, reason: `${host} could not be resolved (${addresses.error})`, unresolved: true };
    const verdict = judgeAddresses(host, addresses, allow, port);
    if (!verdict.ok)
      return {
        ok: false,
        reason: `${verdict.reason} (TWISTERLAB_PROBE_ALLOW, or a declared service or device endpoint)`,
        unresolved: false,
      };
    return { ok: true, target: { host, port, connectTo: addresses[0]!, ...servername } };
  };
}
