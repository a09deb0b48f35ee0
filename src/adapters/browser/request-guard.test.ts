import { describe, expect, it } from 'vitest';
import { parseNetworkAllowList } from '../../core/network-guard.ts';
import { createRequestGuard } from './request-guard.ts';

const guard = createRequestGuard({
  allow: parseNetworkAllowList('127.0.0.1:8080, intranet.test:8443'),
  resolve: async (name) => (name === 'intranet.test' ? ['10.0.0.7'] : ['93.184.216.34']),
});

describe('the request guard', () => {
  it('judges the host on the port the request goes to', async () => {
    expect(await guard.check('http://127.0.0.1:8080/')).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
    expect(await guard.check('http://0x7f.1:8080/')).toMatchObject({
      ok: true,
      url: new URL('http://127.0.0.1:8080/'),
    });
    expect(await guard.check('http://127.0.0.1:8081/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('on port 8081'),
    });
    expect(await guard.check('http://127.0.0.1/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('on port 80'),
    });
    expect(await guard.check('https://intranet.test:8443/')).toMatchObject({ ok: true });
    expect(await guard.check('https://intranet.test/')).toMatchObject({ ok: false });
    expect(await guard.check('https://public.test:1234/')).toMatchObject({ ok: true });
  });

  it('refuses user-info before anything is resolved', async () => {
    expect(await guard.check('http://intranet.test:8443@127.0.0.1:8081/')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('user-info'),
    });
  });

  it('refuses a browser request whose host and port do not read back as the browser wrote them', async () => {
    expect(await guard.checkRequest('http://127.0.0.1:8080/x')).toMatchObject({ ok: true });
    for (const href of [
      'http://0x7f.1:8080/',
      'http://127.0.0.1:08080/',
      'http://127.0.0.1:80/',
      'http://INTRANET.test:8443/',
      'http://[::FFFF:127.0.0.1]:8080/',
      'http://127.0.0.1.:8080/',
    ]) {
      expect(await guard.checkRequest(href), href).toMatchObject({
        ok: false,
        reason: expect.stringContaining('does not read back'),
      });
    }
  });
});
