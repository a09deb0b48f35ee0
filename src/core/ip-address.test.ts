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
    for (const form of ['127.0.0.1', '2130706433', '0x7f000001', '0x7f.1', '0177.0.0.1', '0177.1', '127.1', '127.0.1', '0x7f.0.0.0x1', '017700000001', '127.0.0.1.']) {
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
    for (const bad of ['4294967296', '256.0.0.1', '1.2.3.256', '1.2.3.4.5', '08.0.0.1', '1..2', '', 'example.com', '0x1g', '-1', '1.2.3.4..']) {
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
    for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::ffff:0x7f.1', 'g::1', ':::', '1:2:3:4:5:6:7::8']) {
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
