import { describe, it, expect } from 'vitest';
import { classifyAddress, judgeAddresses, parseFetchTarget, parseNetworkAllowList } from './network-guard.ts';

describe('classifyAddress', () => {
  it('calls every internal IPv4 block internal, with its kind', () => {
    const cases: Array<[string, string]> = [
      ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['10.20.30.40', 'private'], ['100.64.0.1', 'shared'],
      ['100.127.255.255', 'shared'], ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['169.254.169.254', 'link-local'],
      ['172.16.0.1', 'private'], ['172.31.0.1', 'private'], ['192.168.1.1', 'private'], ['192.0.0.170', 'reserved'],
      ['198.18.0.1', 'benchmark'], ['224.0.0.251', 'multicast'], ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'broadcast'], ['240.0.0.1', 'reserved'], ['192.0.2.1', 'documentation'],
    ];
    for (const [address, kind] of cases) expect(classifyAddress(address), address).toMatchObject({ kind, internal: true });
  });

  it('calls public addresses public, including those just outside the private blocks', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.0.1', '11.0.0.1', '2606:4700::1111', '2a00:1450::1']) {
      expect(classifyAddress(address), address).toMatchObject({ kind: 'public', internal: false });
    }
  });

  it('sees through the obfuscated IPv4 forms', () => {
    for (const form of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1', '0x7f000001']) expect(classifyAddress(form)).toMatchObject({ address: '127.0.0.1', kind: 'loopback' });
    expect(classifyAddress('0xa9.0xfe.0xa9.0xfe')).toMatchObject({ address: '169.254.169.254', kind: 'link-local' });
    expect(classifyAddress('0')).toMatchObject({ kind: 'unspecified' });
  });

  it('classifies internal IPv6 blocks', () => {
    const cases: Array<[string, string]> = [
      ['::', 'unspecified'], ['::1', 'loopback'], ['[::1]', 'loopback'], ['fd00::1', 'unique-local'], ['fc00::1', 'unique-local'],
      ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'], ['fec0::1', 'private'], ['ff02::1', 'multicast'],
      ['2001:db8::1', 'documentation'], ['2001::1', 'reserved'], ['100::1', 'reserved'], ['::7f00:1', 'reserved'], ['3fff::1', 'public'], ['4000::1', 'reserved'],
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
    expect(parseNetworkAllowList(undefined)).toEqual({ hosts: [], cidrs: [] });
  });

  it('refuses entries that are neither, naming them', () => {
    for (const bad of ['10.0.0.0/40', 'http://x', '0x7f.1', '2130706433', 'a b', '-bad-.com']) {
      expect(() => parseNetworkAllowList(bad), bad).toThrow(/neither a host name/);
    }
  });
});

describe('judgeAddresses', () => {
  const allow = parseNetworkAllowList('127.0.0.2/32,intranet.example,fd00:1::/32');

  it('refuses a name when any one of its addresses is internal', () => {
    expect(judgeAddresses('mixed.test', ['8.8.8.8', '10.0.0.1'], allow)).toMatchObject({ ok: false, reason: expect.stringContaining('10.0.0.1, a private address') });
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

  it('names the carrier of an IPv4-mapped internal address', () => {
    expect(judgeAddresses('x', ['::ffff:169.254.169.254'], allow)).toMatchObject({ ok: false, reason: expect.stringContaining('link-local address (ipv4-mapped)') });
  });
});

describe('parseFetchTarget', () => {
  it('accepts http and https only', () => {
    for (const raw of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://127.0.0.1:6379/_INFO', 'javascript:alert(1)', 'data:text/html,hi', 'ws://example.com/', 'chrome://settings', 'view-source:http://example.com', 'about:blank']) {
      expect(parseFetchTarget(raw), raw).toMatchObject({ ok: false, reason: expect.stringMatching(/scheme|not a valid/) });
    }
    expect(parseFetchTarget('not a url')).toMatchObject({ ok: false });
    expect(parseFetchTarget('https://example.com/a')).toMatchObject({ ok: true, target: { hostname: 'example.com' } });
  });

  it('normalises every IP literal form to the address a browser would reach', () => {
    const fixed = (raw: string) => {
      const parsed = parseFetchTarget(raw);
      return parsed.ok ? parsed.target.fixedAddresses : parsed.reason;
    };
    for (const raw of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://127.0.0.1./', 'http://user:pw@127.0.0.1:8080/x']) {
      expect(fixed(raw), raw).toEqual(['127.0.0.1']);
    }
    expect(fixed('http://[::ffff:127.0.0.1]/')).toEqual(['::ffff:7f00:1']);
    expect(fixed('http://[0:0:0:0:0:0:0:1]/')).toEqual(['::1']);
  });

  it('treats localhost and *.localhost names as loopback without asking a resolver', () => {
    expect(parseFetchTarget('http://LOCALHOST./')).toMatchObject({ ok: true, target: { fixedAddresses: ['127.0.0.1', '::1'] } });
    expect(parseFetchTarget('http://app.localhost:3000/')).toMatchObject({ ok: true, target: { fixedAddresses: ['127.0.0.1', '::1'] } });
  });
});
