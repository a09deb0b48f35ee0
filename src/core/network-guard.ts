// The outbound-request guard (SSRF): which addresses are internal, which URLs may be fetched, and the allow-list
// that opens chosen hosts or blocks. Pure: resolving names is the caller's job; every resolved address is judged.
import { cidr, formatIp, inCidr, parseCidr, parseIp, type Cidr, type IpBytes } from './ip-address.ts';

export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmark'
  | 'reserved';

export interface AddressClass {
  address: string;
  kind: AddressKind;
  /** Anything but `public`: never fetched unless the allow-list says so. */
  internal: boolean;
  /** How an IPv4 address was carried inside an IPv6 one, when it was. */
  via?: 'ipv4-mapped' | 'ipv4-translated' | 'nat64' | '6to4';
}

const V4_BLOCKS: Array<[Cidr, AddressKind]> = [
  [cidr('0.0.0.0/8'), 'unspecified'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'shared'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'documentation'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'benchmark'],
  [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('240.0.0.0/4'), 'reserved'],
];

/** IPv6 blocks that carry an IPv4 address: judged by that address. `offset` is where its 4 bytes start. */
const V6_CARRIERS: Array<[Cidr, NonNullable<AddressClass['via']>, number]> = [
  [cidr('::ffff:0:0/96'), 'ipv4-mapped', 12],
  [cidr('::ffff:0:0:0/96'), 'ipv4-translated', 12],
  [cidr('64:ff9b::/96'), 'nat64', 12],
  [cidr('2002::/16'), '6to4', 2],
];

const V6_BLOCKS: Array<[Cidr, AddressKind]> = [
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  // IPv4-compatible (deprecated), local-use NAT64, discard-only, Teredo (hides the real address), ORCHID.
  [cidr('::/96'), 'reserved'],
  [cidr('64:ff9b:1::/48'), 'reserved'],
  [cidr('100::/64'), 'reserved'],
  [cidr('2001::/32'), 'reserved'],
  [cidr('2001:10::/28'), 'reserved'],
  [cidr('2001:20::/28'), 'reserved'],
  [cidr('2001:db8::/32'), 'documentation'],
  [cidr('fc00::/7'), 'unique-local'],
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'],
  [cidr('ff00::/8'), 'multicast'],
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
  /** Host names trusted on every port whatever they resolve to (lower case, no trailing dot). */
  hosts: string[];
  /** Blocks open on every port. */
  cidrs: Cidr[];
  /** Names and blocks open on one port only (`host:443`, `10.0.0.5:8080`, `[fd00::1]:8443`, `10.0.0.0/8:22`). */
  endpoints: AllowedEndpoint[];
}

export type AllowedEndpoint = { port: number } & (
  { host: string; cidr?: undefined } | { cidr: Cidr; host?: undefined }
);

export const EMPTY_ALLOW_LIST: NetworkAllowList = { hosts: [], cidrs: [], endpoints: [] };

/** A DNS name in lower case: labels of letters, digits, `_` and inner `-`, 253 characters at most. */
export const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A port as configuration writes it: 1 to 65535, digits only, no leading zero. */
export function parsePort(text: string): number | undefined {
  return /^[1-9][0-9]{0,4}$/.test(text) && Number(text) <= 65535 ? Number(text) : undefined;
}

type AllowEntry = { host: string } | { cidr: Cidr };

/** `[v6]`, `[v6/len]`, `a.b.c.d`, `a.b.c.d/len`, bare `v6` or `v6/len` (no port then), or a host name. */
function parseAllowTarget(text: string, bracketed: boolean): AllowEntry | undefined {
  if (bracketed && !text.includes(':')) return undefined;
  const block = parseCidr(text);
  if (block) return { cidr: block };
  const name = text.replace(/\.$/, '');
  // A name that is an address in another form (`0x7f.1`) would confuse the reader of the list.
  if (bracketed || name.includes('/') || parseIp(name) || !HOST_NAME.test(name)) return undefined;
  return { host: name };
}

/** Splits `target:port`; bare IPv6 (more than one colon, no brackets) has no port. */
function splitPort(entry: string): { target: string; port?: string; bracketed: boolean } {
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  if (bracket)
    return { target: bracket[1]!, bracketed: true, ...(bracket[2] !== undefined ? { port: bracket[2] } : {}) };
  const colons = entry.split(':').length - 1;
  if (colons !== 1) return { target: entry, bracketed: false };
  const at = entry.indexOf(':');
  return { target: entry.slice(0, at), port: entry.slice(at + 1), bracketed: false };
}

function addAllowEntry(allow: NetworkAllowList, raw: string): void {
  const shown = raw.trim();
  const { target, port: portText, bracketed } = splitPort(shown.toLowerCase());
  const parsed = parseAllowTarget(target, bracketed);
  const port = portText === undefined ? undefined : parsePort(portText);
  if (!parsed || (portText !== undefined && !/^[0-9]+$/.test(portText))) {
    throw new Error(
      `"${shown}" is neither a host name nor an address or CIDR block, each optionally with :port (IPv4 as a dotted quad, IPv6 in brackets before a port)`,
    );
  }
  if (portText !== undefined && port === undefined)
    throw new Error(`"${shown}": the port must be 1 to 65535, written without leading zeros`);
  if (port === undefined) {
    if ('host' in parsed) allow.hosts.push(parsed.host);
    else allow.cidrs.push(parsed.cidr);
  } else allow.endpoints.push({ ...parsed, port });
}

/** `host, host:8080, 10.0.0.0/8, 10.0.0.5:443, fd00::/8, [fd00::1]:8443`, comma-separated. Throws naming the offending entry. */
export function parseNetworkAllowList(text: string | undefined): NetworkAllowList {
  const allow: NetworkAllowList = { hosts: [], cidrs: [], endpoints: [] };
  for (const raw of (text ?? '').split(',')) if (raw.trim() !== '') addAllowEntry(allow, raw);
  return allow;
}

/** Both lists together: what the configuration opens and what the wiring trusts (declared endpoints). */
export function mergeAllowLists(a: NetworkAllowList, b: NetworkAllowList): NetworkAllowList {
  return {
    hosts: [...a.hosts, ...b.hosts],
    cidrs: [...a.cidrs, ...b.cidrs],
    endpoints: [...a.endpoints, ...b.endpoints],
  };
}

function normaliseHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * A name on the allow-list: on every port, or on the given one. Without a port only entries open on every port
 * match, so a caller that does not say which port gets the narrower answer.
 */
export function isHostAllowed(hostname: string, allow: NetworkAllowList, port?: number): boolean {
  const host = normaliseHost(hostname);
  return (
    allow.hosts.includes(host) ||
    (port !== undefined && allow.endpoints.some((e) => e.host === host && e.port === port))
  );
}

/**
 * An address on an allowed block (on every port, or the given one). An IPv4-mapped address is that IPv4 address on
 * this machine and matches its block; NAT64 and 6to4 reach the IPv4 address through a gateway, elsewhere: they do not.
 */
export function isAddressAllowed(bytes: IpBytes, allow: NetworkAllowList, port?: number): boolean {
  const carried = embeddedIPv4(bytes);
  const mapped = carried?.via === 'ipv4-mapped' ? carried.v4 : undefined;
  const within = (block: Cidr) => inCidr(bytes, block) || (mapped !== undefined && inCidr(mapped, block));
  return (
    allow.cidrs.some(within) ||
    (port !== undefined && allow.endpoints.some((e) => e.cidr !== undefined && e.port === port && within(e.cidr)))
  );
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Every address a host resolved to must be public or allowed: one internal answer is enough to refuse. An entry
 * bound to a port opens only that port, so the port a connection goes to must be given for it to count.
 */
export function judgeAddresses(
  hostname: string,
  addresses: readonly string[],
  allow: NetworkAllowList,
  port?: number,
): Verdict {
  if (isHostAllowed(hostname, allow, port)) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: `${hostname} resolved to no address` };
  for (const text of addresses) {
    const bytes = parseIp(text);
    if (!bytes) return { ok: false, reason: `${hostname} resolved to "${text}", which is not an address` };
    const verdict = classifyBytes(bytes);
    if (verdict.internal && !isAddressAllowed(bytes, allow, port)) {
      const via = verdict.via ? ` (${verdict.via})` : '';
      const where = port === undefined ? '' : ` on port ${port}`;
      return {
        ok: false,
        reason: `${hostname} is ${verdict.address}, a ${verdict.kind} address${via}, not on the allow-list${where}`,
      };
    }
  }
  return { ok: true };
}

export interface FetchTarget {
  url: URL;
  /** Without brackets or trailing dot, lower case. */
  hostname: string;
  /** The port the request goes to: the URL's, or its scheme's default. */
  port: number;
  /** The addresses to judge without asking a resolver: IP literals, and `localhost` names (RFC 6761). */
  fixedAddresses?: string[];
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Parses a URL to fetch with the WHATWG URL parser, the one browsers use (backslashes, tabs and newlines,
 * percent-encoded hosts and IPv4 shorthand read as Chromium reads them): http(s) only, with a host, without
 * user-info (`allowed@elsewhere` only misleads a reader). IP literals come back already normalised.
 */
export function parseFetchTarget(raw: string): { ok: true; target: FetchTarget } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  const port = DEFAULT_PORTS[url.protocol];
  if (port === undefined) return { ok: false, reason: `the scheme ${url.protocol} is refused: only http and https` };
  if (url.username !== '' || url.password !== '')
    return { ok: false, reason: 'URLs with user-info (user@host) are refused: the host is what follows the @' };
  const hostname = normaliseHost(url.hostname);
  if (hostname === '') return { ok: false, reason: 'the URL has no host' };
  const base = { url, hostname, port: url.port === '' ? port : Number(url.port) };
  const literal = parseIp(hostname);
  if (literal) return { ok: true, target: { ...base, fixedAddresses: [formatIp(literal)] } };
  if (hostname === 'localhost' || hostname.endsWith('.localhost'))
    return { ok: true, target: { ...base, fixedAddresses: ['127.0.0.1', '::1'] } };
  return { ok: true, target: base };
}

/**
 * The authority (`host[:port]`, with any user-info) of a URL string as a browser serialised it. A request URL
 * from Chromium is already canonical: read again by the WHATWG parser its host and port must be this text, or
 * the two parsers disagree on where the request goes and it is refused.
 */
export function serialisedAuthority(href: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(href)?.[1];
}
