// IP addresses as bytes: every textual form a resolver or a browser accepts (inet_aton's decimal, hex, octal
// and short IPv4 forms; IPv6 with `::`, embedded IPv4, brackets and zones), CIDR blocks, and formatting back.

/** 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export type IpBytes = Uint8Array;

export interface Cidr {
  bytes: IpBytes;
  prefix: number;
}

const MAX_PART = [0xffffffff, 0xffffff, 0xffff, 0xff];

function parseInetPart(part: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number.parseInt(part, 10);
  return undefined;
}

/**
 * IPv4 as inet_aton reads it: `127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`, with one trailing dot.
 * `strict` accepts only four decimal parts (for configuration, where ambiguity helps no one).
 */
export function parseIPv4(text: string, strict = false): IpBytes | undefined {
  const body = !strict && text.endsWith('.') ? text.slice(0, -1) : text;
  const parts = body.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return undefined;
  if (strict && (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p)))) return undefined;
  const values = parts.map(parseInetPart);
  if (values.some((v) => v === undefined || !Number.isSafeInteger(v))) return undefined;
  const numbers = values as number[];
  const last = numbers[numbers.length - 1]!;
  if (numbers.slice(0, -1).some((v) => v > 0xff) || last > MAX_PART[numbers.length - 1]!) return undefined;
  let value = last;
  numbers.slice(0, -1).forEach((v, i) => {
    value += v * 2 ** (8 * (3 - i));
  });
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function parseGroups(side: string): number[] | undefined {
  if (side === '') return [];
  const groups: number[] = [];
  const pieces = side.split(':');
  for (const [i, piece] of pieces.entries()) {
    if (i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIPv4(piece, true);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-f]{1,4}$/i.test(piece)) return undefined;
      groups.push(Number.parseInt(piece, 16));
    }
  }
  return groups;
}

/** IPv6, with or without brackets; a zone (`%eth0`) is dropped, it does not change the address's class. */
export function parseIPv6(text: string): IpBytes | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  if (!body.includes(':')) return undefined;
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** Any form of IPv4 or IPv6 address, or undefined when the text is not an address. */
export function parseIp(text: string): IpBytes | undefined {
  return text.includes(':') || text.startsWith('[') ? parseIPv6(text) : parseIPv4(text);
}

export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952: the longest run (two or more) of zero groups becomes `::`, the first one on a tie.
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j > i ? j - 1 : i;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (`/32`, `/128`). IPv4 must be a plain dotted quad here. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || !address) return undefined;
  const bytes = address.includes(':') ? parseIPv6(address) : parseIPv4(address, true);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: max };
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { bytes, prefix: Number(prefixText) };
}

export function inCidr(bytes: IpBytes, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.prefix; bit += 8) {
    const width = Math.min(8, cidr.prefix - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (cidr.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/** Shorthand for tables of blocks. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`not a CIDR block: ${text}`);
  return parsed;
}
