import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { checkCookieWrite, readSessionCookie, writeSessionCookie } from './session-cookie.ts';
import { createSessionStore } from './session-store.ts';

function written(protocol: 'http' | 'https'): string {
  let value = '';
  const reply = {
    header: (name: string, v: string) => (name === 'set-cookie' ? (value = v) : undefined),
  } as unknown as FastifyReply;
  writeSessionCookie({ protocol } as FastifyRequest, reply, 'a'.repeat(43), 60);
  return value;
}

const request = (headers: Record<string, string>, method = 'POST') =>
  ({ headers, method }) as unknown as FastifyRequest;

describe('session cookie', () => {
  it('is Secure when served over TLS, HttpOnly and SameSite=Strict always', () => {
    expect(written('https')).toBe(
      `twisterlab_session=${'a'.repeat(43)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure`,
    );
    expect(written('http')).toBe(`twisterlab_session=${'a'.repeat(43)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=60`);
  });

  it('is read among other cookies, and a malformed value is ignored', () => {
    expect(readSessionCookie(request({ cookie: `theme=dark; twisterlab_session=${'b'.repeat(43)}; x=1` }))).toBe(
      'b'.repeat(43),
    );
    expect(readSessionCookie(request({ cookie: 'twisterlab_session=<script>' }))).toBeUndefined();
    expect(readSessionCookie(request({}))).toBeUndefined();
  });

  it('lets reads through and requires the token and this origin on writes', () => {
    const session = createSessionStore().create({ name: 'alice', role: 'admin' }).session;
    expect(() => checkCookieWrite(request({}, 'GET'), session)).not.toThrow();
    expect(() => checkCookieWrite(request({}), session)).toThrow(/x-csrf-token/);
    expect(() =>
      checkCookieWrite(
        request({
          'x-csrf-token': session.csrfToken,
          host: 'console.internal',
          origin: 'https://console.internal.evil',
        }),
        session,
      ),
    ).toThrow(/must come from this console/);
    expect(() =>
      checkCookieWrite(
        request({ 'x-csrf-token': session.csrfToken, host: 'console.internal', origin: 'null' }),
        session,
      ),
    ).toThrow(/must come from this console/);
    expect(() =>
      checkCookieWrite(
        request({ 'x-csrf-token': session.csrfToken, host: 'console.internal', origin: 'https://console.internal' }),
        session,
      ),
    ).not.toThrow();
  });
});

describe('session store', () => {
  it('forgets a session at its expiry and after delete, and keeps ids only as hashes', () => {
    let now = 1_000;
    const store = createSessionStore({ ttlMs: 100, now: () => now });
    const { id } = store.create({ name: 'vera', role: 'viewer' });
    expect(store.get(id)?.identity).toEqual({ name: 'vera', role: 'viewer' });
    expect(store.get(`${id}x`)).toBeUndefined();
    now += 100;
    expect(store.get(id)).toBeUndefined();
    const second = store.create({ name: 'vera', role: 'viewer' });
    store.delete(second.id);
    expect(store.get(second.id)).toBeUndefined();
    expect(store.size()).toBe(0);
  });
});
