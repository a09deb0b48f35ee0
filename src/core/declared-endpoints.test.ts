import { describe, expect, it } from 'vitest';
import { endpointAllowList, serviceEndpoint } from './declared-endpoints.ts';
import { judgeAddresses } from './network-guard.ts';

describe('serviceEndpoint', () => {
  it('takes the port written in the target, or the default of its scheme', () => {
    expect(serviceEndpoint({ kind: 'http', target: 'http://web.internal:8080/health' })).toEqual({
      host: 'web.internal',
      port: 8080,
    });
    expect(serviceEndpoint({ kind: 'http', target: 'http://web.internal/health' })).toEqual({
      host: 'web.internal',
      port: 80,
    });
    expect(serviceEndpoint({ kind: 'http', target: 'https://Web.Internal./' })).toEqual({
      host: 'web.internal',
      port: 443,
    });
    expect(serviceEndpoint({ kind: 'postgres', target: 'postgres://app:secret@db.internal/app' })).toEqual({
      host: 'db.internal',
      port: 5432,
    });
    expect(serviceEndpoint({ kind: 'postgres', target: 'postgresql://db.internal:5433/app' })).toEqual({
      host: 'db.internal',
      port: 5433,
    });
    expect(serviceEndpoint({ kind: 'redis', target: 'redis://:pw@127.0.0.1' })).toEqual({
      host: '127.0.0.1',
      port: 6379,
    });
    expect(serviceEndpoint({ kind: 'tcp', target: '127.0.0.1:22' })).toEqual({ host: '127.0.0.1', port: 22 });
    expect(serviceEndpoint({ kind: 'tcp', target: '[::1]:22' })).toEqual({ host: '::1', port: 22 });
  });

  it('has no endpoint for a target it cannot read', () => {
    expect(serviceEndpoint({ kind: 'http', target: 'not a url' })).toBeUndefined();
    expect(serviceEndpoint({ kind: 'tcp', target: 'no-port' })).toBeUndefined();
  });
});

describe('endpointAllowList', () => {
  const allow = endpointAllowList([
    { host: '127.0.0.1', port: 8080 },
    { host: 'db.internal', port: 5432 },
    { host: 'LOCALHOST', port: 6379 },
    { host: '[::1]', port: 22 },
  ]);

  it('opens each endpoint on its own port and nowhere else', () => {
    expect(judgeAddresses('x', ['127.0.0.1'], allow, 8080)).toEqual({ ok: true });
    expect(judgeAddresses('db.internal', ['10.0.0.5'], allow, 5432)).toEqual({ ok: true });
    expect(judgeAddresses('x', ['::1'], allow, 22)).toEqual({ ok: true });
    for (const port of [undefined, 21, 23, 80, 5432, 8079, 8081])
      expect(judgeAddresses('x', ['127.0.0.1'], allow, port), String(port)).toMatchObject({ ok: false });
    expect(judgeAddresses('db.internal', ['10.0.0.5'], allow, 5433)).toMatchObject({ ok: false });
    expect(judgeAddresses('x', ['127.0.0.2'], allow, 8080)).toMatchObject({ ok: false });
  });

  it('opens localhost by name and as both loopback addresses on its port', () => {
    expect(judgeAddresses('localhost', ['127.0.0.1', '::1'], allow, 6379)).toEqual({ ok: true });
    expect(judgeAddresses('x', ['127.0.0.1', '::1'], allow, 6379)).toEqual({ ok: true });
    expect(judgeAddresses('x', ['127.0.0.1', '::1'], allow, 6380)).toMatchObject({ ok: false });
  });

  it('skips entries that are not endpoints', () => {
    expect(
      endpointAllowList([
        { host: '', port: 80 },
        { host: 'x', port: 0 },
        { host: 'x', port: 70000 },
      ]).endpoints,
    ).toEqual([]);
  });
});
