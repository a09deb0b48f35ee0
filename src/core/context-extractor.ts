// Finds where a ticket asks to act: URLs, IPv4 addresses, host names, and the configured devices and
// services it names. Values the submitter gave win over what the text suggests.
import { ticketContextSchema, type ExtractedContext, type TicketContext } from './ticket.ts';

export interface KnownNames {
  devices: string[];
  services: string[];
}

type Finding = ExtractedContext['found'][number];
type Kind = Finding['kind'];
interface Located extends Finding {
  at: number;
}

// Every pattern is anchored by a lookbehind that refuses to start inside a word or a dotted name, and its
// repetitions are separated by literal dots, so a match attempt cannot backtrack more than a label's length.
const URL_PATTERN = /(?<![a-z0-9])https?:\/\/[^\s<>"'`]+/gi;
const IPV4_PATTERN = /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)/g;
const FQDN_PATTERN = /(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?::\d{1,5})?(?![\w@-]|\.[a-z0-9])/gi;
const HOST_PORT_PATTERN = /(?<![\w.@/:-])[a-z][a-z0-9-]{0,62}:\d{1,5}(?![\w:]|\.\d)/gi;
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', ']', '}', '>']);
// A two-label name is a host only under a TLD people use for hosts; "node.js" and "notes.txt" are not.
const HOST_TLDS = new Set([
  'com', 'net', 'org', 'io', 'dev', 'app', 'cloud', 'local', 'internal', 'lan', 'corp', 'home', 'intranet',
  'co', 'uk', 'de', 'fr', 'eu', 'us', 'ca', 'nl', 'be', 'ch', 'es', 'it', 'se', 'no', 'fi', 'dk', 'pl', 'jp',
  'au', 'info', 'biz', 'ai', 'tech', 'test', 'example', 'localhost',
]);
const FILE_EXTENSIONS = new Set([
  'txt', 'log', 'json', 'yaml', 'yml', 'md', 'js', 'ts', 'mjs', 'cjs', 'py', 'sh', 'conf', 'cfg', 'ini', 'xml',
  'csv', 'html', 'htm', 'php', 'exe', 'dll', 'zip', 'gz', 'tar', 'tgz', 'pdf', 'doc', 'docx', 'xls', 'xlsx',
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'sql', 'bak', 'service', 'socket', 'sock', 'pid', 'lock', 'tmp', 'old',
  'java', 'go', 'rs', 'rb', 'cpp', 'hpp', 'cs', 'jar', 'war', 'env', 'toml', 'properties', 'pem', 'crt', 'key',
]);
/** Keeps a pathological ticket (thousands of addresses) from bloating the stored analysis. */
const MAX_PER_KIND = 25;

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

function isHostName(name: string): boolean {
  const host = name.replace(/:\d+$/, '').toLowerCase();
  if (host.length > 253) return false;
  const labels = host.split('.');
  const tld = labels.at(-1) ?? '';
  if (FILE_EXTENSIONS.has(tld)) return false;
  return labels.length >= 3 || HOST_TLDS.has(tld);
}

function validPort(hostPort: string): boolean {
  const port = /:(\d+)$/.exec(hostPort);
  return !port || (Number(port[1]) >= 1 && Number(port[1]) <= 65_535);
}

function findAddresses(text: string): Located[] {
  const found: Located[] = [];
  // Addresses inside a URL belong to the URL, not to the ticket's list of hosts.
  const inUrl = new Uint8Array(text.length);
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    inUrl.fill(1, match.index, match.index + match[0].length);
    if (ticketContextSchema.shape.url.safeParse(url).success) found.push({ kind: 'url', value: url, source: 'text', at: match.index });
  }
  const add = (kind: Kind, pattern: RegExp, keep: (value: string) => boolean): void => {
    for (const match of text.matchAll(pattern)) {
      if (!inUrl[match.index] && keep(match[0])) found.push({ kind, value: match[0], source: 'text', at: match.index });
    }
  };
  add('ip', IPV4_PATTERN, () => true);
  add('host', FQDN_PATTERN, (value) => isHostName(value) && validPort(value));
  add('host', HOST_PORT_PATTERN, validPort);
  return found;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/-]/g, String.raw`\$&`);
}

/** Mentions of configured names, whole-word and case-insensitive; the longest name wins where names overlap. */
function findNames(text: string, kind: 'device' | 'service', names: readonly string[]): Located[] {
  const canonical = new Map<string, string>();
  for (const name of names.map((n) => n.trim()).filter((n) => n.length > 0)) {
    if (!canonical.has(name.toLowerCase())) canonical.set(name.toLowerCase(), name);
  }
  if (canonical.size === 0) return [];
  const alternatives = [...canonical.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  const pattern = new RegExp(String.raw`(?<![\w.-])(?:${alternatives})(?![\w-]|\.\w)`, 'gi');
  return [...text.matchAll(pattern)].map((match) => ({
    kind, value: canonical.get(match[0].toLowerCase()) ?? match[0], source: 'text' as const, at: match.index,
  }));
}

function givenFindings(given: TicketContext): Finding[] {
  const found: Finding[] = [];
  if (given.deviceId) found.push({ kind: 'device', value: given.deviceId, source: 'given' });
  if (given.serviceName) found.push({ kind: 'service', value: given.serviceName, source: 'given' });
  if (given.url) found.push({ kind: 'url', value: given.url, source: 'given' });
  return found;
}

/** Given findings first, then text findings in reading order; one entry per kind and value, at most MAX_PER_KIND a kind. */
function mergeFindings(given: Finding[], located: Located[]): Finding[] {
  const seen = new Set(given.map((f) => `${f.kind}\u0000${f.value.toLowerCase()}`));
  const perKind = new Map<Kind, number>();
  const merged = [...given];
  for (const { at: _at, ...finding } of located.sort((a, b) => a.at - b.at)) {
    const key = `${finding.kind}\u0000${finding.value.toLowerCase()}`;
    const count = perKind.get(finding.kind) ?? 0;
    if (seen.has(key) || count >= MAX_PER_KIND) continue;
    seen.add(key);
    perKind.set(finding.kind, count + 1);
    merged.push(finding);
  }
  return merged;
}

export function extractContext(text: string, given: TicketContext, known: KnownNames): ExtractedContext {
  const devices = findNames(text, 'device', known.devices).sort((a, b) => a.at - b.at);
  const services = findNames(text, 'service', known.services).sort((a, b) => a.at - b.at);
  const addresses = findAddresses(text);
  const distinctDevices = [...new Set(devices.map((d) => d.value))];
  const deviceId = given.deviceId ?? (distinctDevices.length === 1 ? distinctDevices[0] : undefined);
  const serviceName = given.serviceName ?? services[0]?.value;
  const url = given.url ?? addresses.find((f) => f.kind === 'url')?.value;
  return {
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(serviceName !== undefined ? { serviceName } : {}),
    ...(url !== undefined ? { url } : {}),
    found: mergeFindings(givenFindings(given), [...addresses, ...devices, ...services]),
  };
}
