import { describe, expect, it } from 'vitest';
import { parseNetworkAllowList } from '../../core/network-guard.ts';
import type { Endpoint } from '../../core/declared-endpoints.ts';
import { createProbeTargets, normaliseHost } from './probe-target.ts';

/** Names resolve from this table; anything else is NXDOMAIN, as a resolver would answer. */
const DNS: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'inside.example': ['10.1.2.3'],
  'mixed.example': ['93.184.216.34', '192.168.1.1'],
  'mapped.example': ['::ffff:127.0.0.1'],
};
const resolve = async (name: string) => {
  const found = DNS[name];
  if (!found) throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found;
};
const targets = (allow = '', declared: Endpoint[] = []) => {
  const check = createProbeTargets({ allow: parseNetworkAllowList(allow), declaredEndpoints: () => declared, resolve });
  return (host: string, port = 443) => check(host, port);
};

describe('the probe egress rule', () => {
  it('lets public hosts through and pins the address that was checked', async () => {
    expect(await targets()('Public.Example.')).toEqual({
      ok: true,
      target: { host: 'public.example', port: 443, connectTo: '93.184.216.34', servername: 'public.example' },
    });
    expect(await targets()('93.184.216.34')).toEqual({
      ok: true,
      target: { host: '93.184.216.34', port: 443, connectTo: '93.184.216.34' },
    });
  });

  it('refuses internal addresses in any form, and names with one internal answer', async () => {
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '[::1]',
      '::ffff:127.0.0.1',
      'localhost',
      '169.254.169.254',
      'inside.example',
      'mixed.example',
      'mapped.example',
    ]) {
      const verdict = await targets()(host);
      expect(verdict, host).toMatchObject({ ok: false, unresolved: false });
    }
  });

  it('opens internal hosts named or inside a block of the allow-list', async () => {
    expect(await targets('10.0.0.0/8')('inside.example')).toMatchObject({
      ok: true,
      target: { connectTo: '10.1.2.3' },
    });
    expect(await targets('127.0.0.0/8')('0x7f.1')).toMatchObject({
      ok: true,
      target: { host: '127.0.0.1', connectTo: '127.0.0.1' },
    });
    // A trusted name is passed on as it is: the side that connects resolves it.
    expect(await targets('db.internal')('DB.internal')).toEqual({
      ok: true,
      target: { host: 'db.internal', port: 443, connectTo: 'db.internal', servername: 'db.internal' },
    });
  });

  it('trusts a declared endpoint on its own port only, by name or by address', async () => {
    const declared = [
      { host: 'inside.example', port: 5432 },
      { host: '127.0.0.1', port: 8080 },
    ];
    expect(await targets('', declared)('inside.example', 5432)).toMatchObject({
      ok: true,
      target: { connectTo: 'inside.example', port: 5432 },
    });
    expect(await targets('', declared)('127.0.0.1', 8080)).toMatchObject({
      ok: true,
      target: { connectTo: '127.0.0.1', port: 8080 },
    });
    // The same hosts on any other port are a port scan, refused.
    for (const port of [22, 80, 443, 5433, 6379, 8081, 65535]) {
      expect(await targets('', declared)('inside.example', port), `inside.example:${port}`).toMatchObject({
        ok: false,
        unresolved: false,
      });
      expect(await targets('', declared)('127.0.0.1', port), `127.0.0.1:${port}`).toMatchObject({
        ok: false,
        unresolved: false,
        reason: expect.stringContaining(`on port ${port}`),
      });
    }
    expect(await targets('', [{ host: '127.0.0.1', port: 8080 }])('127.0.0.2', 8080)).toMatchObject({ ok: false });
  });

  it('reads a declared endpoint through every spelling of its address, and not beyond it', async () => {
    const declared = [{ host: '127.0.0.1', port: 8080 }];
    for (const host of ['2130706433', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1']) {
      expect(await targets('', declared)(host, 8080), host).toMatchObject({ ok: true, target: { port: 8080 } });
      expect(await targets('', declared)(host, 8081), host).toMatchObject({ ok: false });
    }
    // A name that resolves to the declared address is not the declared endpoint.
    expect(await targets('', declared)('mapped.example', 8080)).toMatchObject({ ok: true });
    expect(await targets('', declared)('mapped.example', 8079)).toMatchObject({ ok: false });
  });

  it('counts localhost and its loopback addresses as one endpoint', async () => {
    const declared = [{ host: 'localhost', port: 8080 }];
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      expect(await targets('', declared)(host, 8080), host).toMatchObject({ ok: true });
      expect(await targets('', declared)(host, 8081), host).toMatchObject({ ok: false });
    }
    // Declared by address only, localhost is refused: it may also be ::1, which was not declared.
    expect(await targets('', [{ host: '127.0.0.1', port: 8080 }])('localhost', 8080)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('::1'),
    });
  });

  it('opens an allow-list entry with a port on that port only, and one without on every port', async () => {
    expect(await targets('inside.example:8443')('inside.example', 8443)).toMatchObject({
      ok: true,
      target: { connectTo: 'inside.example' },
    });
    expect(await targets('inside.example:8443')('inside.example', 8444)).toMatchObject({ ok: false });
    expect(await targets('10.0.0.0/8:22')('inside.example', 22)).toMatchObject({
      ok: true,
      target: { connectTo: '10.1.2.3' },
    });
    expect(await targets('10.0.0.0/8:22')('inside.example', 23)).toMatchObject({ ok: false });
    expect(await targets('[::1]:9000')('::1', 9000)).toMatchObject({ ok: true });
    expect(await targets('[::1]:9000')('::1', 9001)).toMatchObject({ ok: false });
    for (const port of [1, 22, 65535])
      expect(await targets('10.0.0.0/8')('inside.example', port)).toMatchObject({ ok: true });
  });

  it('refuses a port outside 1 to 65535', async () => {
    for (const port of [0, -1, 65536, 1.5])
      expect(await targets('', [{ host: '127.0.0.1', port: 8080 }])('127.0.0.1', port), String(port)).toMatchObject({
        ok: false,
        unresolved: false,
      });
  });

  it('tells a name that does not resolve apart from a refusal, and refuses what is not a host', async () => {
    expect(await targets()('nowhere.example')).toEqual({
      ok: false,
      reason: 'nowhere.example could not be resolved (ENOTFOUND)',
      unresolved: true,
    });
    for (const host of ['http://x', 'a b', 'x;rm', '-oProxyCommand=x', ''])
      expect(await targets()(host)).toMatchObject({ ok: false, unresolved: false });
  });

  it('normalises hosts the way the rule compares them', () => {
    expect(normaliseHost(' [::FFFF:127.0.0.1] ')).toBe(normaliseHost('::ffff:7f00:1'));
    expect(normaliseHost('0x7f.1')).toBe('127.0.0.1');
    expect(normaliseHost('Example.COM.')).toBe('example.com');
  });
});
