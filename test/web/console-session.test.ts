// The console over HTTP: its pages and assets under a strict CSP without shadowing the API, and the session
// cookie: exchanged for a key, HttpOnly and SameSite=Strict, accepted beside X-API-Key, refused for a write
// without its CSRF token or from another origin, closed by signing out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';
import { ensureConsoleBuilt } from './console-build.ts';

const KEYS = { alice: 'alice-admin-key-0001', vera: 'vera-viewer-key-0002', bot: 'bot-operator-key-0003' };
const API_KEYS = `alice:admin:${KEYS.alice},vera:viewer:${KEYS.vera},bot:operator:${KEYS.bot}`;

async function signIn(rt: TestRuntime, apiKey: string) {
  const response = await rt.app.inject({ method: 'POST', url: '/api/v1/session', payload: { apiKey } });
  expect(response.statusCode).toBe(200);
  const cookie = String(response.headers['set-cookie']);
  const value = /twisterlab_session=([^;]+)/.exec(cookie)![1]!;
  return {
    cookie,
    header: `twisterlab_session=${value}`,
    body: response.json() as { name: string; role: string; csrfToken: string; expiresAt: string },
  };
}

describe('web console over HTTP', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    rt = await startTestRuntime('pglite', { TWISTERLAB_API_KEYS: API_KEYS });
  }, 180_000);
  afterAll(async () => rt?.close());

  it('answers / and its pages with the built index.html under a strict Content-Security-Policy, without a key', async () => {
    for (const url of [
      '/',
      '/tickets/0198c2d4-0000-7000-8000-000000000000',
      '/approvals',
      '/runbooks',
      '/runbooks/slow-database',
      '/devices',
    ]) {
      const response = await rt.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.body).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
      // No inline script: every <script> has a src.
      expect(response.body.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    }
    const index = (await rt.app.inject({ method: 'GET', url: '/' })).body;
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const js = await rt.app.inject({ method: 'GET', url: asset });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
  });

  it('leaves the API, docs, health and metrics as they were, and refuses unknown or crafted asset names', async () => {
    expect((await rt.app.inject({ method: 'GET', url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect(
      (await rt.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { 'x-api-key': KEYS.bot } })).json(),
    ).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await rt.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await rt.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    expect((await rt.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    for (const url of [
      '/assets/nothing.js',
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2findex.html',
      '/assets/index.html',
    ]) {
      const response = await rt.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
    }
    expect(
      (await rt.app.inject({ method: 'GET', url: '/tickets', headers: { 'x-api-key': KEYS.bot } })).statusCode,
    ).toBe(404);
  });

  it('exchanges a key for an HttpOnly, SameSite=Strict session cookie that reads like the key, and never echoes the key', async () => {
    const { cookie, header, body } = await signIn(rt, KEYS.bot);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP on loopback; Secure over TLS (next test)
    expect(cookie).not.toContain(KEYS.bot);
    expect(body).toMatchObject({ name: 'bot', role: 'operator', keysConfigured: true });
    expect(body.csrfToken).toMatch(/^[\w-]{30,}$/);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const me = await rt.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: header } });
    expect(me.json()).toMatchObject({ name: 'bot', role: 'operator', csrfToken: body.csrfToken });
    expect(
      (await rt.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { cookie: header } })).statusCode,
    ).toBe(200);
  });

  it('does not believe a client that only claims TLS in X-Forwarded-Proto (no trusted proxy)', async () => {
    const response = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { apiKey: KEYS.bot },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(String(response.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('refuses a wrong key with 401 and sets no cookie', async () => {
    const response = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { apiKey: 'not-a-key-of-ours' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'invalid API key' } });
  });

  it('refuses a cookie write without the CSRF token, with a wrong one, or from another origin; accepts it with the token', async () => {
    const { header, body } = await signIn(rt, KEYS.bot);
    const payload = { description: 'The printer on floor two does not answer' };
    const without = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { cookie: header },
      payload,
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.message).toContain('x-csrf-token');
    const wrong = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { cookie: header, 'x-csrf-token': 'x'.repeat(32) },
      payload,
    });
    expect(wrong.statusCode).toBe(403);
    const foreign = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload,
      headers: {
        cookie: header,
        'x-csrf-token': body.csrfToken,
        origin: 'http://evil.example',
        host: 'localhost:8000',
      },
    });
    expect(foreign.statusCode).toBe(403);
    const ok = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload,
      headers: {
        cookie: header,
        'x-csrf-token': body.csrfToken,
        origin: 'http://localhost:8000',
        host: 'localhost:8000',
      },
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().ticket.requester).toBe('bot');
  });

  it('keeps roles with the cookie: a viewer session cannot submit', async () => {
    const { header, body } = await signIn(rt, KEYS.vera);
    const response = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { cookie: header, 'x-csrf-token': body.csrfToken },
      payload: { description: 'The VPN drops every hour' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('FORBIDDEN');
  });

  it('closes the session on sign-out: the cookie is cleared and no longer accepted', async () => {
    const { header, body } = await signIn(rt, KEYS.alice);
    const forged = await rt.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: header } });
    expect(forged.statusCode).toBe(403); // a sign-out without the token (a cross-site request) is refused too
    const out = await rt.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: header, 'x-csrf-token': body.csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/twisterlab_session=;.*Max-Age=0/);
    const after = await rt.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: header } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toContain('sign in again');
  });
});
