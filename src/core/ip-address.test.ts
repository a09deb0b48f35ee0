import { describe, it, expect } from 'vitest';
import { formatIp, inCidr, parseCidr, parseIp, parseIPv4, parseIPv6 } from './ip-address.ts';

const v4 = (text: string, strict = false) => {
  const bytes = parseIPv4(text, strict);
  return bytes ? formatIp(bytes) : undefined;
};
const v6 = (text: string) => {
  const bytes = parseIPv6(text);
  return bytes ? formatIp(bytes) : undefined;
};

describe('parseIPv4', () => {
  it('reads every inet_aton form of 127.0.0.1', () => {
    for (const form of [
      '127.0.0.1',
      '2130706433',
      '0x7f000001',
      '0x7f.1',
      '0177.0.0.1',
      '0177.1',
      '127.1',
      '127.0.1',
      '0x7f.0.0.0x1',
      '017700000001',
      '127.0.0.1.',
    ]) {
      expect(v4(form), form).toBe('127.0.0.1');
    }
  });

  it('reads short forms by filling the last part into the remaining bytes', () => {
    expect(v4('10.1')).toBe('10.0.0.1');
    expect(v4('192.168.257')).toBe('192.168.1.1');
    expect(v4('0')).toBe('0.0.0.0');
    expect(v4('0x')).toBe('0.0.0.0');
    expect(v4('4294967295')).toBe('255.255.255.255');
  });

  it('refuses out-of-range parts, bad digits and names', () => {
    for (const bad of [
      '4294967296',
      '256.0.0.1',
      '1.2.3.256',
      '1.2.3.4.5',
      '08.0.0.1',
      '1..2',
      '',
      'example.com',
      '0x1g',
      '-1',
      '1.2.3.4..',
    ]) {
      expect(v4(bad), bad).toBeUndefined();
    }
  });

  it('accepts only dotted quads of decimals when strict', () => {
    expect(v4('10.0.0.1', true)).toBe('10.0.0.1');
    expect(v4('0x7f.1', true)).toBeUndefined();
    expect(v4('010.0.0.1', true)).toBeUndefined();
    expect(v4('2130706433', true)).toBeUndefined();
  });
});

describe('parseIPv6', () => {
  it('reads compressed, full, bracketed and zoned forms and formats them canonically (RFC 5952)', () => {
    expect(v6('::1')).toBe('::1');
    expect(v6('[::1]')).toBe('::1');
    expect(v6('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(v6('::')).toBe('::');
    expect(v6('fe80::1%eth0')).toBe('fe80::1');
    expect(v6('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(v6('fd00:0:0:0:0:0:0:0')).toBe('fd00::');
  });

  it('reads an embedded dotted IPv4 tail', () => {
    expect(v6('::ffff:127.0.0.1')).toBe('::ffff:7f00:1');
    expect(v6('64:ff9b::10.0.0.1')).toBe('64:ff9b::a00:1');
  });

  it('refuses malformed addresses', () => {
    for (const bad of [
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '::ffff:0x7f.1',
      'g::1',
      ':::',
      '1:2:3:4:5:6:7::8',
    ]) {
      expect(v6(bad), bad).toBeUndefined();
    }
  });
});

describe('CIDR blocks', () => {
  it('match addresses by prefix, including prefixes that cut a byte', () => {
    const block = parseCidr('172.16.0.0/12')!;
    expect(inCidr(parseIp('172.31.255.255')!, block)).toBe(true);
    expect(inCidr(parseIp('172.32.0.0')!, block)).toBe(false);
    expect(inCidr(parseIp('fd12::1')!, parseCidr('fc00::/7')!)).toBe(true);
    expect(inCidr(parseIp('fe00::1')!, parseCidr('fc00::/7')!)).toBe(false);
  });

  it('treat a single address as a /32 or /128 and never match across families', () => {
    expect(parseCidr('127.0.0.2')).toMatchObject({ prefix: 32 });
    expect(parseCidr('::1')).toMatchObject({ prefix: 128 });
    expect(inCidr(parseIp('127.0.0.1')!, parseCidr('::/0')!)).toBe(false);
  });

  it('refuse bad prefixes and non-dotted IPv4', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/x', '10.0.0.0/8/1', '2130706433/32', 'localhost/8']) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

/** A small deterministic generator (LCG): the corpus is the same on every run, and wide. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  return { int: (n: number) => next() % n, pick: <T>(items: readonly T[]) => items[next() % items.length]! };
}

/** What the WHATWG URL parser (the browser's) makes of a host: an IPv4/IPv6 address, a name, or a refusal. */
function whatwgHost(host: string): { kind: 'address'; text: string } | { kind: 'name' } | { kind: 'invalid' } {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}/`).hostname;
  } catch {
    return { kind: 'invalid' };
  }
  if (hostname.startsWith('[')) return { kind: 'address', text: hostname.slice(1, -1) };
  return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? { kind: 'address', text: hostname } : { kind: 'name' };
}

function ipv4Part(g: ReturnType<typeof generator>, max: number): string {
  const values = [0, 1, 7, 8, 127, 255, 256, max, max + 1, g.int(max + 1), g.int(0x100000000)];
  const value = g.pick(values);
  switch (g.int(5)) {
    case 0:
      return `0x${value.toString(16)}`;
    case 1:
      return `0X${value.toString(16).toUpperCase()}`;
    case 2:
      return `0${value.toString(8)}`;
    case 3:
      return g.pick(['0x', '08', '09', '0x0g', '00', '1e1', '+1', '-1', '']);
    default:
      return String(value);
  }
}

describe('the parser against the WHATWG URL parser (what a browser connects to)', () => {
  it('reads every IPv4 form the browser reads as an address to that same address, and none it reads as a name', () => {
    const g = generator(20261205);
    const disagreements: string[] = [];
    let addresses = 0;
    for (let i = 0; i < 6000; i++) {
      const parts = 1 + g.int(5);
      const host =
        Array.from({ length: parts }, (_, k) =>
          ipv4Part(g, k === parts - 1 ? [0xffffffff, 0xffffff, 0xffff, 0xff][Math.min(parts, 4) - 1]! : 0xff),
        ).join('.') + (g.int(8) === 0 ? '.' : '');
      const browser = whatwgHost(host);
      const ours = parseIPv4(host);
      if (browser.kind === 'address') addresses++;
      if (browser.kind === 'address' && (!ours || formatIp(ours) !== browser.text))
        disagreements.push(`${host}: browser ${browser.text}, ours ${ours ? formatIp(ours) : 'none'}`);
      if (browser.kind === 'name' && ours) disagreements.push(`${host}: browser reads a name, ours ${formatIp(ours)}`);
    }
    expect(disagreements).toEqual([]);
    // The corpus really exercises the address side, not only refusals.
    expect(addresses).toBeGreaterThan(1000);
  });

  it('reads every IPv6 form the browser reads to that same address', () => {
    const g = generator(7);
    const group = () =>
      g.pick(['0', '1', 'ffff', 'FFFF', '7f00', '0000', 'a', g.int(0x10000).toString(16), '10000', 'g']);
    const disagreements: string[] = [];
    let addresses = 0;
    for (let i = 0; i < 4000; i++) {
      const count = 1 + g.int(9);
      const groups = Array.from({ length: count }, group);
      if (g.int(3) === 0) groups.splice(g.int(count + 1), 0, '');
      if (g.int(4) === 0)
        groups[groups.length - 1] = g.pick(['127.0.0.1', '10.0.0.1', '1.2.3', '0x7f.0.0.1', '256.0.0.1']);
      let text = groups.join(':');
      if (text.startsWith(':') && !text.startsWith('::')) text = `:${text}`;
      if (text.endsWith(':') && !text.endsWith('::')) text = `${text}:`;
      const browser = whatwgHost(`[${text}]`);
      const ours = parseIPv6(text);
      if (browser.kind === 'address') addresses++;
      if (browser.kind === 'address' && (!ours || formatIp(ours) !== browser.text))
        disagreements.push(`${text}: browser ${browser.text}, ours ${ours ? formatIp(ours) : 'none'}`);
      if (browser.kind === 'invalid' && ours) disagreements.push(`${text}: browser refuses it, ours ${formatIp(ours)}`);
    }
    expect(disagreements).toEqual([]);
    expect(addresses).toBeGreaterThan(300);
  });

  it('formats addresses exactly as the browser serialises them', () => {
    const g = generator(99);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: 16 }, () => (g.int(3) === 0 ? g.int(256) : 0));
      const text = formatIp(bytes);
      expect(new URL(`http://[${text}]/`).hostname, text).toBe(`[${text}]`);
      expect(formatIp(parseIPv6(text)!)).toBe(text);
    }
  });
});
