// The outbound-request guard (SSRF): which addresses are internal, which URLs may be fetched, and the allow-list
// that opens chosen hosts or blocks. Pure: resolving names is the caller's job; every resolved address is judged.
import { cidr, formatIp, inCidr, parseCidr, parseIp, type Cidr, type IpBytes } from './ip-address.ts';

export type AddressKind =
  | 'public' | 'unspecified' | 'loopback' | 'private' | 'shared' | 'link-local' | 'unique-local'
  | 'multicast' | 'broadcast' | 'documentation' | 'benchmark' | 'reserved';

export interface AddressClass {
  address: string;
  kind: AddressKind;
  /** Anything but `public`: never fetched unless the allow-list says so. */
  internal: boolean;
  /** How an IPv4 address was carried inside an IPv6 one, when it was. */
  via?: 'ipv4-mapped' | 'ipv4-translated' | 'nat64' | '6to4';
}

const V4_BLOCKS: Array<[Cidr, AddressKind]> = [
  [cidr('0.0.0.0/8'), 'unspecified'], [cidr('10.0.0.0/8'), 'private'], [cidr('100.64.0.0/10'), 'shared'],
  [cidr('127.0.0.0/8'), 'loopback'], [cidr('169.254.0.0/16'), 'link-local'], [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'], [cidr('192.0.2.0/24'), 'documentation'], [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'], [cidr('198.18.0.0/15'), 'benchmark'], [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'], [cidr('224.0.0.0/4'), 'multicast'], [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('240.0.0.0/4'), 'reserved'],
];

/** IPv6 blocks that carry an IPv4 address: judged by that address. `offset` is where its 4 bytes start. */
const V6_CARRIERS: Array<[Cidr, NonNullable<AddressClass['via']>, number]> = [
  [cidr('::ffff:0:0/96'), 'ipv4-mapped', 12], [cidr('::ffff:0:0:0/96'), 'ipv4-translated', 12],
  [cidr('64:ff9b::/96'), 'nat64', 12], [cidr('2002::/16'), '6to4', 2],
];

const V6_BLOCKS: Array<[Cidr, AddressKind]> = [
  [cidr('::/128'), 'unspecified'], [cidr('::1/128'), 'loopback'],
  // IPv4-compatible (deprecated), local-use NAT64, discard-only, Teredo (hides the real address), ORCHID.
  [cidr('::/96'), 'reserved'], [cidr('64:ff9b:1::/48'), 'reserved'], [cidr('100::/64'), 'reserved'],
  [cidr('2001::/32'), 'reserved'], [cidr('2001:10::/28'), 'reserved'], [cidr('2001:20::/28'), 'reserved'],
  [cidr('2001:db8::/32'), 'documentation'], [cidr('fc00::/7'), 'unique-local'], [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'], [cidr('ff00::/8'), 'multicast'],
];

const GLOBAL_UNICAST_V6 = cidr('2000::/3');

function kindOf(bytes: IpBytes): AddressKind {
  if (bytes.length === 4) return V4_BLOCKS.find(([block]) => inCidr(bytes, block))?.[1] ?? 'public';
  const listed = V6_BLOCKS.find(([block]) => inCidr(bytes, block))?.[1];
  if (listed) return listed;
  // Outside 2000::/3 nothing is assigned for the public internet.
  return inCidr(bytes, GLOBAL_UNICAST_V6) ? 'public' : 'reserved';
}

/** The IPv4 address an IPv6 address carries (mapped, translated, NAT64, 6to4), if any. */
export function embeddedIPv4(bytes: IpBytes): { v4: IpBytes; via: NonNullable<AddressClass['via']> } | undefined {
  if (bytes.length !== 16) return undefined;
  for (const [block, via, offset] of V6_CARRIERS) {
    if (inCidr(bytes, block)) return { v4: bytes.slice(offset, offset + 4), via };
  }
  return undefined;
}

export function classifyBytes(bytes: IpBytes): AddressClass {
  const address = formatIp(bytes);
  const carried = embeddedIPv4(bytes);
  const kind = kindOf(carried ? carried.v4 : bytes);
  return { address, kind, internal: kind !== 'public', ...(carried ? { via: carried.via } : {}) };
}

/** Classifies any textual address form; undefined when the text is not an IP address. */
export function classifyAddress(text: string): AddressClass | undefined {
  const bytes = parseIp(text);
  return bytes ? classifyBytes(bytes) : undefined;
}

export interface NetworkAllowList {
  /** Host names trusted whatever they resolve to (lower case, no trailing dot). */
  hosts: string[];
  cidrs: Cidr[];
}

export const EMPTY_ALLOW_LIST: NetworkAllowList = { hosts: [], cidrs: [] };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** `host, 10.0.0.0/8, fd00::/8, 127.0.0.1`, comma-separated. Throws with the offending entry. */
export function parseNetworkAllowList(text: string | undefined): NetworkAllowList {
  const allow: NetworkAllowList = { hosts: [], cidrs: [] };
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const block = parseCidr(entry.replace(/^\[(.*)\]$/, '$1'));
    if (block) allow.cidrs.push(block);
    // A name that is an address in another form (`0x7f.1`) would confuse the reader of the list.
    else if (!entry.includes('/') && !parseIp(entry) && HOST_NAME.test(entry.replace(/\.$/, ''))) allow.hosts.push(entry.replace(/\.$/, ''));
    else throw new Error(`"${raw.trim()}" is neither a host name nor an address or CIDR block (IPv4 as a dotted quad)`);
  }
  return allow;
}

function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

export function isHostAllowed(hostname: string, allow: NetworkAllowList): boolean {
  return allow.hosts.includes(normaliseHost(hostname));
}

/** An address on an allowed block; an IPv4-mapped address also matches the IPv4 block of what it carries. */
export function isAddressAllowed(bytes: IpBytes, allow: NetworkAllowList): boolean {
  const carried = embeddedIPv4(bytes);
  return allow.cidrs.some((block) => inCidr(bytes, block) || (carried !== undefined && inCidr(carried.v4, block)));
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Every address a host resolved to must be public or allowed: one internal answer is enough to refuse. */
export function judgeAddresses(hostname: string, addresses: readonly string[], allow: NetworkAllowList): Verdict {
  if (isHostAllowed(hostname, allow)) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: `${hostname} resolved to no address` };
  for (const text of addresses) {
    const bytes = parseIp(text);
    if (!bytes) return { ok: false, reason: `${hostname} resolved to "${text}", which is not an address` };
    const verdict = classifyBytes(bytes);
    if (verdict.internal && !isAddressAllowed(bytes, allow)) {
      const via = verdict.via ? ` (${verdict.via})` : '';
      return { ok: false, reason: `${hostname} is ${verdict.address}, a ${verdict.kind} address${via}, not on the allow-list` };
    }
  }
  return { ok: true };
}

export interface FetchTarget {
  url: URL;
  /** Without brackets or trailing dot, lower case. */
  hostname: string;
  /** The addresses to judge without asking a resolver: IP literals, and `localhost` names (RFC 6761). */
  fixedAddresses?: string[];
}

const FETCHABLE_SCHEMES = ['http:', 'https:'];

/** Parses a URL to fetch: http(s) only, with a host. IP literals in any form come back already normalised. */
export function parseFetchTarget(raw: string): { ok: true; target: FetchTarget } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  if (!FETCHABLE_SCHEMES.includes(url.protocol)) return { ok: false, reason: `the scheme ${url.protocol} is refused: only http and https` };
  const hostname = normaliseHost(url.hostname);
  if (hostname === '') return { ok: false, reason: 'the URL has no host' };
  const literal = parseIp(hostname);
  if (literal) return { ok: true, target: { url, hostname, fixedAddresses: [formatIp(literal)] } };
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return { ok: true, target: { url, hostname, fixedAddresses: ['127.0.0.1', '::1'] } };
  return { ok: true, target: { url, hostname } };
}
