// Addresses written in a ticket: URLs, IPv4 and bracketed IPv6 addresses, host names, each with the port written
// after it ("127.0.0.1:27000" is port 27000, not the default of whoever probes it). A URL that states no port gets
// its scheme's, marked as not stated.
import { parseIPv6 } from '../ip-address.ts';
import { ticketContextSchema } from '../ticket.ts';

export interface Address {
  kind: 'url' | 'host' | 'ip';
  /** The URL as written, or the bare host or IP (no port, no brackets). */
  value: string;
  port?: number;
  portStated?: boolean;
  at: number;
}

// Every pattern is anchored by a lookbehind that refuses to start inside a word or a dotted name, and its
// repetitions are separated by literal dots, so a match attempt cannot backtrack more than a label's length.
const URL_PATTERN = /(?<![a-z0-9])https?:\/\/[^\s<>"'`]+/gi;
const IPV4_PATTERN =
  /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?::(\d{1,5}))?(?!\w|:\d|\.\d)/g;
const IPV6_PATTERN = /(?<![\w:[\]])\[([0-9a-f:.]{2,45})\](?::(\d{1,5}))?(?!\w|:\d)/gi;
const FQDN_PATTERN =
  /(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?::(\d{1,5}))?(?![\w@-]|:\d|\.[a-z0-9])/gi;
const HOST_PORT_PATTERN = /(?<![\w.@/:-])([a-z][a-z0-9-]{0,62}):(\d{1,5})(?!\w|:\d|\.\d)/gi;
const URL_AUTHORITY_PORT = /^[a-z]+:\/\/[^/?#]*:(\d{1,5})(?=$|[/?#])/i;
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', ']', '}', '>']);
// A two-label name is a host only under a TLD people use for hosts; "node.js" and "notes.txt" are not.
const HOST_TLDS = new Set([
  'com',
  'net',
  'org',
  'io',
  'dev',
  'app',
  'cloud',
  'local',
  'internal',
  'lan',
  'corp',
  'home',
  'intranet',
  'co',
  'uk',
  'de',
  'fr',
  'eu',
  'us',
  'ca',
  'nl',
  'be',
  'ch',
  'es',
  'it',
  'se',
  'no',
  'fi',
  'dk',
  'pl',
  'jp',
  'au',
  'info',
  'biz',
  'ai',
  'tech',
  'test',
  'example',
  'localhost',
]);
const FILE_EXTENSIONS = new Set([
  'txt',
  'log',
  'json',
  'yaml',
  'yml',
  'md',
  'js',
  'ts',
  'mjs',
  'cjs',
  'py',
  'sh',
  'conf',
  'cfg',
  'ini',
  'xml',
  'csv',
  'html',
  'htm',
  'php',
  'exe',
  'dll',
  'zip',
  'gz',
  'tar',
  'tgz',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'sql',
  'bak',
  'service',
  'socket',
  'sock',
  'pid',
  'lock',
  'tmp',
  'old',
  'java',
  'go',
  'rs',
  'rb',
  'cpp',
  'hpp',
  'cs',
  'jar',
  'war',
  'env',
  'toml',
  'properties',
  'pem',
  'crt',
  'key',
]);
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function trimUrl(raw: string): string {
  let url = raw;
  let unmatched = [...url].filter((c) => c === ')').length - [...url].filter((c) => c === '(').length;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if (TRAILING.has(last)) url = url.slice(0, -1);
    else if (last === ')' && unmatched > 0) {
      url = url.slice(0, -1);
      unmatched -= 1;
    } else return url;
  }
}

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.toLowerCase().split('.');
  const tld = labels.at(-1) ?? '';
  if (FILE_EXTENSIONS.has(tld)) return false;
  return labels.length >= 3 || HOST_TLDS.has(tld);
}

/** The port of a `:digits` suffix: undefined when there is none, null when it is out of range. */
function portOf(digits: string | undefined): number | null | undefined {
  if (digits === undefined) return undefined;
  const port = Number(digits);
  return port >= 1 && port <= 65_535 ? port : null;
}

/** A URL's port: the one written in it, else its scheme's (then not stated). */
export function urlPort(url: string): Pick<Address, 'port' | 'portStated'> {
  const written = URL_AUTHORITY_PORT.exec(url)?.[1];
  if (written !== undefined) return { port: Number(written), portStated: true };
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const port = parsed ? DEFAULT_PORTS[parsed.protocol] : undefined;
  return port !== undefined ? { port, portStated: false } : {};
}

export function findAddresses(text: string): Address[] {
  const found: Address[] = [];
  // Addresses inside a URL belong to the URL, not to the ticket's list of hosts.
  const inUrl = new Uint8Array(text.length);
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    inUrl.fill(1, match.index, match.index + match[0].length);
    if (ticketContextSchema.shape.url.safeParse(url).success)
      found.push({ kind: 'url', value: url, ...urlPort(url), at: match.index });
  }
  const add = (kind: 'host' | 'ip', pattern: RegExp, keep: (host: string) => boolean): void => {
    for (const match of text.matchAll(pattern)) {
      const host = match[1] ?? match[0];
      const port = portOf(match[2]);
      if (inUrl[match.index] || port === null || !keep(host)) continue;
      found.push({ kind, value: host, ...(port !== undefined ? { port, portStated: true } : {}), at: match.index });
    }
  };
  // IPv4 has no capture group for the host: group 1 is its port.
  for (const match of text.matchAll(IPV4_PATTERN)) {
    const port = portOf(match[1]);
    if (inUrl[match.index] || port === null) continue;
    const value = port !== undefined ? match[0].slice(0, match[0].lastIndexOf(':')) : match[0];
    found.push({ kind: 'ip', value, ...(port !== undefined ? { port, portStated: true } : {}), at: match.index });
  }
  add('ip', IPV6_PATTERN, (host) => parseIPv6(host) !== undefined);
  add('host', FQDN_PATTERN, isHostName);
  add('host', HOST_PORT_PATTERN, () => true);
  return found;
}
