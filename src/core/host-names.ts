// The names this instance answers to, and the Host header a request names it by: a keyless instance serves only
// requests that name it (localhost, a loopback address, or a configured name), so a page elsewhere cannot rebind
// its own name to this port and drive the API from a browser (DNS rebinding).
import { formatIp, parseIPv4, parseIPv6 } from './ip-address.ts';
import { classifyBytes, HOST_NAME } from './network-guard.ts';

/**
 * A host name (lower case, no trailing dot) or an address in its usual form; undefined for anything else. Only the
 * forms a browser sends: dotted-quad IPv4, IPv6 with or without brackets (no zone). `0x7f.1` is not a name.
 */
export function parseHostName(text: string): string | undefined {
  const host = text.trim().toLowerCase();
  const v6 = /^\[?([0-9a-f:.]+)\]?$/.exec(host);
  if (host.includes(':')) {
    const bytes = v6 && host.startsWith('[') === host.endsWith(']') ? parseIPv6(v6[1]!) : undefined;
    return bytes ? formatIp(bytes) : undefined;
  }
  const name = host.replace(/\.$/, '');
  const v4 = parseIPv4(name, true);
  if (v4) return formatIp(v4);
  if (/^[0-9.]+$/.test(name) || /^0x/.test(name) || !HOST_NAME.test(name)) return undefined;
  // The last label of a name is never all digits or hex: `1.2.3.0x4` would be read as an address by a browser.
  return /(^|\.)(0x[0-9a-f]*|[0-9]+)$/.test(name) ? undefined : name;
}

/** A Host header: `name`, `name:port`, `a.b.c.d[:port]` or `[v6][:port]`; the host part normalised, or undefined. */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::([0-9]{1,5}))?$/.exec(header);
  if (!match) return undefined;
  if (match[2] !== undefined && (Number(match[2]) < 1 || Number(match[2]) > 65535)) return undefined;
  return parseHostName(match[1]!);
}

const LOOPBACK_NAMES = new Set(['localhost']);

/** The instance's own name: localhost, any loopback address, or one of the configured names. */
export function isOwnHost(host: string, configured: readonly string[]): boolean {
  if (LOOPBACK_NAMES.has(host) || configured.includes(host)) return true;
  const bytes = host.includes(':') ? parseIPv6(host) : parseIPv4(host, true);
  return bytes !== undefined && classifyBytes(bytes).kind === 'loopback' && classifyBytes(bytes).via === undefined;
}
