import { describe, it, expect } from 'vitest';
import {
  classifyAddress,
  judgeAddresses,
  parseFetchTarget,
  parseNetworkAllowList,
  serialisedAuthority,
} from './network-guard.ts';

describe('classifyAddress', () => {
  it('calls every internal IPv4 block internal, with its kind', () => {
    const cases: Array<[string, string]> = [
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['10.20.30.40', 'private'],
      ['100.64.0.1', 'shared'],
      ['100.127.255.255', 'shared'],
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['172.16.0.1', 'private'],
      ['172.31.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['192.0.0.170', 'reserved'],
      ['198.18.0.1', 'benchmark'],
      ['224.0.0.251', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['240.0.0.1', 'reserved'],
      ['192.0.2.1', 'documentation'],
    ];
    for (const [address, kind] of cases)
      expect(classifyAddress(address), address).toMatchObject({ kind, internal: true });
  });

  it('calls public addresses public, including those just outside the private blocks', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.15.255.255',
      '172.32.0.0',
      '100.63.255.255',
      '100.128.0.0',
      '169.253.0.1',
      '11.0.0.1',
      '2606:4700::1111',
      '2a00:1450::1',
    ]) {
      expect(classifyAddress(address), address).toMatchObject({ kind: 'public', internal: false });
    }
  });

  it('sees through the obfuscated IPv4 forms', () => {
    for (const form of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1', '0x7f000001'])
      expect(classifyAddress(form)).toMatchObject({ address: '127.0.0.1', kind: 'loopback' });
    expect(classifyAddress('0xa9.0xfe.0xa9.0xfe')).toMatchObject({ address: '169.254.169.254', kind: 'link-local' });
    expect(classifyAddress('0')).toMatchObject({ kind: 'unspecified' });
  });

  it('classifies internal IPv6 blocks', () => {
    const cases: Array<[string, string]> = [
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['fd00::1', 'unique-local'],
      ['fc00::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'],
      ['fec0::1', 'private'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'documentation'],
      ['2001::1', 'reserved'],
      ['100::1', 'reserved'],
      ['::7f00:1', 'reserved'],
      ['3fff::1', 'public'],
      ['4000::1', 'reserved'],
      ['fd00:ec2::254', 'unique-local'],
    ];
    for (const [address, kind] of cases) expect(classifyAddress(address), address).toMatchObject({ kind });
  });

  it('judges an IPv4 address carried in IPv6 (mapped, translated, NAT64, 6to4) by the IPv4 address', () => {
    expect(classifyAddress('::ffff:127.0.0.1')).toMatchObject({ kind: 'loopback', via: 'ipv4-mapped', internal: true });
    expect(classifyAddress('::ffff:7f00:1')).toMatchObject({ kind: 'loopback', via: 'ipv4-mapped' });
    expect(classifyAddress('::ffff:0:10.0.0.1')).toMatchObject({ kind: 'private', via: 'ipv4-translated' });
    expect(classifyAddress('64:ff9b::169.254.169.254')).toMatchObject({ kind: 'link-local', via: 'nat64' });
    expect(classifyAddress('64:ff9b::8.8.8.8')).toMatchObject({ kind: 'public', via: 'nat64', internal: false });
    expect(classifyAddress('2002:c0a8:0101::1')).toMatchObject({ kind: 'private', via: '6to4' });
    expect(classifyAddress('::ffff:8.8.8.8')).toMatchObject({ kind: 'public', internal: false });
  });

  it('returns undefined for names', () => {
    expect(classifyAddress('example.com')).toBeUndefined();
    expect(classifyAddress('localhost')).toBeUndefined();
  });
});

describe('parseNetworkAllowList', () => {
  it('reads host names and CIDR blocks, comma-separated', () => {
    const allow = parseNetworkAllowList(' Intranet.example. , 10.0.0.0/8, fd00::/8, 127.0.0.2, [::1] ');
    expect(allow.hosts).toEqual(['intranet.example']);
    expect(allow.cidrs.map((c) => c.prefix)).toEqual([8, 8, 32, 128]);
    expect(parseNetworkAllowList(undefined)).toEqual({ hosts: [], cidrs: [], endpoints: [] });
  });

  it('refuses entries that are neither, naming them', () => {
    for (const bad of ['10.0.0.0/40', 'http://x', '0x7f.1', '2130706433', 'a b', '-bad-.com']) {
      expect(() => parseNetworkAllowList(bad), bad).toThrow(/neither a host name/);
    }
  });

  it('binds an entry written with a port to that port: host:port, a.b.c.d:port, block:port, [IPv6]:port', () => {
    const allow = parseNetworkAllowList(
      'svc.internal:8443, 127.0.0.2:8080, 10.0.0.0/8:22, [::1]:9000, [fd00::/8]:443, Other.Example.:80',
    );
    expect(allow.hosts).toEqual([]);
    expect(allow.cidrs).toEqual([]);
    expect(
      allow.endpoints.map((e) => [e.host ?? `${e.cidr!.bytes.length === 4 ? 'v4' : 'v6'}/${e.cidr!.prefix}`, e.port]),
    ).toEqual([
      ['svc.internal', 8443],
      ['v4/32', 8080],
      ['v4/8', 22],
      ['v6/128', 9000],
      ['v6/8', 443],
      ['other.example', 80],
    ]);
  });

  it('reads a bare IPv6 address as an address on every port: a port on IPv6 needs brackets', () => {
    const allow = parseNetworkAllowList('fd00::1:443');
    expect(allow.endpoints).toEqual([]);
    expect(allow.cidrs).toHaveLength(1);
  });

  it('refuses ports that are not 1 to 65535 in plain digits, and entries with a port that are not a target, naming them', () => {
    for (const bad of ['svc:0', 'svc:65536', 'svc:080', '127.0.0.1:99999', '[::1]:0']) {
      expect(() => parseNetworkAllowList(`ok.example, ${bad}`), bad).toThrow(
        new RegExp(`"${bad.replace(/[[\].]/g, '\\$&')}": the port must be 1 to 65535`),
      );
    }
    for (const bad of [
      'svc:',
      'svc:http',
      'svc:8080:1',
      '[127.0.0.1]:80',
      '[svc]:80',
      '0x7f.1:80',
      '2130706433:80',
      ':80',
      'user@svc:80',
      'svc:+80',
      'svc: 80',
      '[::1]80',
      '[::1]:80x',
    ]) {
      expect(() => parseNetworkAllowList(bad), bad).toThrow(/neither a host name/);
    }
  });
});

describe('judgeAddresses', () => {
  const allow = parseNetworkAllowList('127.0.0.2/32,intranet.example,fd00:1::/32');

  it('refuses a name when any one of its addresses is internal', () => {
    expect(judgeAddresses('mixed.test', ['8.8.8.8', '10.0.0.1'], allow)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('10.0.0.1, a private address'),
    });
    expect(judgeAddresses('empty.test', [], allow)).toMatchObject({ ok: false });
  });

  it('lets public addresses and allowed blocks through', () => {
    expect(judgeAddresses('example.com', ['93.184.216.34', '2606:2800::1'], allow)).toEqual({ ok: true });
    expect(judgeAddresses('svc', ['127.0.0.2'], allow)).toEqual({ ok: true });
    expect(judgeAddresses('svc', ['::ffff:127.0.0.2'], allow)).toEqual({ ok: true });
    expect(judgeAddresses('svc', ['fd00:1::5'], allow)).toEqual({ ok: true });
    expect(judgeAddresses('svc', ['127.0.0.1'], allow)).toMatchObject({ ok: false });
    expect(judgeAddresses('svc', ['fd00:2::5'], allow)).toMatchObject({ ok: false });
  });

  it('trusts an allowed host name whatever it resolves to', () => {
    expect(judgeAddresses('INTRANET.example.', ['10.1.2.3'], allow)).toEqual({ ok: true });
  });

  it('opens an entry bound to a port only when that port is asked for', () => {
    const ported = parseNetworkAllowList('127.0.0.2:8080, svc.internal:8443, 10.0.0.0/8:22, [::1]:9000');
    expect(judgeAddresses('a', ['127.0.0.2'], ported, 8080)).toEqual({ ok: true });
    expect(judgeAddresses('a', ['::ffff:127.0.0.2'], ported, 8080)).toEqual({ ok: true });
    expect(judgeAddresses('svc.internal', ['10.9.9.9'], ported, 8443)).toEqual({ ok: true });
    expect(judgeAddresses('b', ['10.9.9.9'], ported, 22)).toEqual({ ok: true });
    expect(judgeAddresses('c', ['::1'], ported, 9000)).toEqual({ ok: true });
    for (const port of [undefined, 1, 22, 80, 8081, 9000]) {
      expect(judgeAddresses('a', ['127.0.0.2'], ported, port), String(port)).toMatchObject({ ok: false });
    }
    expect(judgeAddresses('svc.internal', ['10.9.9.9'], ported, 22)).toEqual({ ok: true });
    expect(judgeAddresses('svc.internal', ['192.168.0.1'], ported, 8444)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('on port 8444'),
    });
    expect(judgeAddresses('d', ['10.9.9.9', '127.0.0.2'], ported, 22)).toMatchObject({ ok: false });
  });

  it('opens an IPv4 block to the IPv4-mapped form of its addresses, not to NAT64, 6to4 or translated forms reached through a gateway', () => {
    const v4 = parseNetworkAllowList('127.0.0.2/32, 10.0.0.0/8:22');
    expect(judgeAddresses('x', ['::ffff:127.0.0.2'], v4)).toEqual({ ok: true });
    expect(judgeAddresses('x', ['::ffff:10.1.2.3'], v4, 22)).toEqual({ ok: true });
    for (const carrier of ['64:ff9b::127.0.0.2', '2002:7f00:2::1', '::ffff:0:127.0.0.2', '::127.0.0.2']) {
      expect(judgeAddresses('x', [carrier], v4), carrier).toMatchObject({ ok: false });
    }
    expect(judgeAddresses('x', ['64:ff9b::10.1.2.3'], v4, 22)).toMatchObject({ ok: false });
  });

  it('names the carrier of an IPv4-mapped internal address', () => {
    expect(judgeAddresses('x', ['::ffff:169.254.169.254'], allow)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('link-local address (ipv4-mapped)'),
    });
  });
});

describe('parseFetchTarget', () => {
  it('accepts http and https only', () => {
    for (const raw of [
      'file:///etc/passwd',
      'ftp://example.com/',
      'gopher://127.0.0.1:6379/_INFO',
      'javascript:alert(1)',
      'data:text/html,hi',
      'ws://example.com/',
      'chrome://settings',
      'view-source:http://example.com',
      'about:blank',
    ]) {
      expect(parseFetchTarget(raw), raw).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/scheme|not a valid/),
      });
    }
    expect(parseFetchTarget('not a url')).toMatchObject({ ok: false });
    expect(parseFetchTarget('https://example.com/a')).toMatchObject({ ok: true, target: { hostname: 'example.com' } });
  });

  it('normalises every IP literal form to the address a browser would reach', () => {
    const fixed = (raw: string) => {
      const parsed = parseFetchTarget(raw);
      return parsed.ok ? parsed.target.fixedAddresses : parsed.reason;
    };
    for (const raw of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://127.0.0.1./',
      'http://127.0.0.1:8080/x',
    ]) {
      expect(fixed(raw), raw).toEqual(['127.0.0.1']);
    }
    expect(fixed('http://[::ffff:127.0.0.1]/')).toEqual(['::ffff:7f00:1']);
    expect(fixed('http://[0:0:0:0:0:0:0:1]/')).toEqual(['::1']);
  });

  it('treats localhost and *.localhost names as loopback without asking a resolver', () => {
    expect(parseFetchTarget('http://LOCALHOST./')).toMatchObject({
      ok: true,
      target: { fixedAddresses: ['127.0.0.1', '::1'] },
    });
    expect(parseFetchTarget('http://app.localhost:3000/')).toMatchObject({
      ok: true,
      target: { fixedAddresses: ['127.0.0.1', '::1'] },
    });
  });
});

describe('parseFetchTarget reads a URL as Chromium does', () => {
  const where = (raw: string) => {
    const parsed = parseFetchTarget(raw);
    return parsed.ok ? `${parsed.target.hostname}:${parsed.target.port}` : `refused: ${parsed.reason}`;
  };

  it('gives the port the request goes to, the scheme default when none is written', () => {
    expect(where('http://example.com/')).toBe('example.com:80');
    expect(where('https://example.com/')).toBe('example.com:443');
    expect(where('http://example.com:443/')).toBe('example.com:443');
    expect(where('https://example.com:80/')).toBe('example.com:80');
    expect(where('HTTP://EXAMPLE.com:0080/')).toBe('example.com:80');
  });

  it('refuses user-info in every spelling', () => {
    for (const raw of [
      'http://user@example.com/',
      'http://user:pw@example.com/',
      'http://:pw@example.com/',
      'http://allowed.test@127.0.0.1/',
      'http://a@b@127.0.0.1/',
      'http://127.0.0.1:80\t@127.0.0.1:81/',
      'http://allowed.test%40127.0.0.1@127.0.0.1/',
      'http://127.0.0.1:8080%2f@x/',
    ]) {
      expect(where(raw), JSON.stringify(raw)).toMatch(/^refused: URLs with user-info/);
    }
  });

  it('reads backslashes, tabs, newlines, percent-encoded hosts and IPv4 shorthand the WHATWG way', () => {
    const cases: Array<[string, string]> = [
      ['http://allowed.test\\@127.0.0.1:81/', 'allowed.test:80'],
      ['http://allowed.test:8080\\@127.0.0.1:81/', 'allowed.test:8080'],
      ['http:/\\127.0.0.1:81/', '127.0.0.1:81'],
      ['http:127.0.0.1:81/', '127.0.0.1:81'],
      ['http://127.0.0.1:8\t1/', '127.0.0.1:81'],
      ['http://127.0\n.0.1/', '127.0.0.1:80'],
      [' http://127.0.0.1/ ', '127.0.0.1:80'],
      ['http://%31%32%37.0.0.1:81/', '127.0.0.1:81'],
      ['http://127.1:81/', '127.0.0.1:81'],
      ['http://0x7f.1:81/', '127.0.0.1:81'],
      ['http://2130706433:81/', '127.0.0.1:81'],
      ['http://0177.0.0.1:81/', '127.0.0.1:81'],
      ['http://127.0.0.1.:81/', '127.0.0.1:81'],
      ['http://[::ffff:127.0.0.1]:81/', '::ffff:7f00:1:81'],
      ['http://[0:0:0:0:0:ffff:7f00:1]/', '::ffff:7f00:1:80'],
      ['http://Ａllowed.test/', 'allowed.test:80'],
    ];
    for (const [raw, expected] of cases) expect(where(raw), JSON.stringify(raw)).toBe(expected);
  });

  it('finds the authority of a serialised URL, user-info included', () => {
    expect(serialisedAuthority('http://127.0.0.1:81/x?y#z')).toBe('127.0.0.1:81');
    expect(serialisedAuthority('http://a%40b@127.0.0.1:81/')).toBe('a%40b@127.0.0.1:81');
    expect(serialisedAuthority('https://[::1]/')).toBe('[::1]');
    expect(serialisedAuthority('http://example.com')).toBe('example.com');
    expect(serialisedAuthority('data:text/html,x')).toBeUndefined();
  });
});
