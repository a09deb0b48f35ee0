import { describe, expect, it } from 'vitest';
import { parseNetworkAllowList } from '../../core/network-guard.ts';
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
const targets = (allow = '', declared: string[] = []) => createProbeTargets({ allow: parseNetworkAllowList(allow), declaredHosts: () => declared, resolve });

describe('the probe egress rule', () => {
  it('lets public hosts through and pins the address that was checked', async () => {
    expect(await targets()('Public.Example.')).toEqual({ ok: true, target: { host: 'public.example', connectTo: '93.184.216.34', servername: 'public.example' } });
    expect(await targets()('93.184.216.34')).toEqual({ ok: true, target: { host: '93.184.216.34', connectTo: '93.184.216.34' } });
  });

  it('refuses internal addresses in any form, and names with one internal answer', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::1]', '::ffff:127.0.0.1', 'localhost', '169.254.169.254', 'inside.example', 'mixed.example', 'mapped.example']) {
      const verdict = await targets()(host);
      expect(verdict, host).toMatchObject({ ok: false, unresolved: false });
    }
  });

  it('opens internal hosts named or inside a block of the allow-list', async () => {
    expect(await targets('10.0.0.0/8')('inside.example')).toMatchObject({ ok: true, target: { connectTo: '10.1.2.3' } });
    expect(await targets('127.0.0.0/8')('0x7f.1')).toMatchObject({ ok: true, target: { host: '127.0.0.1', connectTo: '127.0.0.1' } });
    // A trusted name is passed on as it is: the side that connects resolves it.
    expect(await targets('db.internal')('DB.internal')).toEqual({ ok: true, target: { host: 'db.internal', connectTo: 'db.internal', servername: 'db.internal' } });
  });

  it('trusts the hosts of declared services and devices by name', async () => {
    expect(await targets('', ['inside.example', '127.0.0.1'])('inside.example')).toMatchObject({ ok: true, target: { connectTo: 'inside.example' } });
    expect(await targets('', ['inside.example', '127.0.0.1'])('127.0.0.1')).toMatchObject({ ok: true });
    expect(await targets('', ['127.0.0.1'])('127.0.0.2')).toMatchObject({ ok: false });
  });

  it('tells a name that does not resolve apart from a refusal, and refuses what is not a host', async () => {
    expect(await targets()('nowhere.example')).toEqual({ ok: false, reason: 'nowhere.example could not be resolved (ENOTFOUND)', unresolved: true });
    for (const host of ['http://x', 'a b', 'x;rm', '-oProxyCommand=x', '']) expect(await targets()(host)).toMatchObject({ ok: false, unresolved: false });
  });

  it('normalises hosts the way the rule compares them', () => {
    expect(normaliseHost(' [::FFFF:127.0.0.1] ')).toBe(normaliseHost('::ffff:7f00:1'));
    expect(normaliseHost('0x7f.1')).toBe('127.0.0.1');
    expect(normaliseHost('Example.COM.')).toBe('example.com');
  });
});
