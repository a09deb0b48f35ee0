// The egress rule for probes (certificate and reachability checks), the browser's: a host is reached only when
// every address it resolves to is public, or it is trusted — named or inside a block of TWISTERLAB_PROBE_ALLOW,
// or the host of a declared service or device, which TwisterLab already talks to. The checked address is what
// the probe connects to; a trusted name is passed on as it is.
import { lookup } from 'node:dns/promises';
import { formatIp, parseIp } from '../../core/ip-address.ts';
import { judgeAddresses, type NetworkAllowList } from '../../core/network-guard.ts';
import type { TargetVerdict } from '../../core/network-probes.ts';

export type Resolve = (hostname: string) => Promise<string[]>;

const systemResolve: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Lower case, without brackets or a trailing dot; an IP address in its usual form. */
export function normaliseHost(raw: string): string {
  const host = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const literal = parseIp(host);
  return literal ? formatIp(literal) : host;
}

export function createProbeTargets(options: { allow: NetworkAllowList; declaredHosts: () => Iterable<string>; resolve?: Resolve }) {
  const resolve = options.resolve ?? systemResolve;
  return async (raw: string): Promise<TargetVerdict> => {
    const host = normaliseHost(raw);
    const literal = parseIp(host) !== undefined;
    if (!literal && !HOST_NAME.test(host)) return { ok: false, reason: `"${raw}" is neither a host name nor an IP address`, unresolved: false };
    const servername = literal ? {} : { servername: host };
    const allow = { hosts: [...options.allow.hosts, ...[...options.declaredHosts()].map(normaliseHost)], cidrs: options.allow.cidrs };
    if (allow.hosts.includes(host)) return { ok: true, target: { host, connectTo: host, ...servername } };
    let addresses: string[];
    if (literal) addresses = [host];
    else if (host === 'localhost' || host.endsWith('.localhost')) addresses = ['127.0.0.1', '::1'];
    else {
      try {
        addresses = await resolve(host);
      } catch (error) {
        return { ok: false, reason: `${host} could not be resolved (${(error as { code?: string }).code ?? 'error'})`, unresolved: true };
      }
    }
    const verdict = judgeAddresses(host, addresses, allow);
    if (!verdict.ok) return { ok: false, reason: `${verdict.reason} (TWISTERLAB_PROBE_ALLOW)`, unresolved: false };
    return { ok: true, target: { host, connectTo: addresses[0]!, ...servername } };
  };
}
