// The console's session cookie: how it is written (HttpOnly, SameSite=Strict, Secure over TLS), read, and what a
// write authenticated by it must also carry. SameSite=Strict keeps other sites' requests from carrying the
// cookie; the CSRF token (only readable by the console's own script, from the sign-in answer) and the Origin
// check are a second lock in case a browser or a same-site page gets around it.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TwisterError } from '../../core/errors.ts';
import type { Session } from './session-store.ts';

export const SESSION_COOKIE = 'twisterlab_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readSessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function writeSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeSeconds: number,
): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  writeSessionCookie(request, reply, '', 0);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A write carried by the cookie must echo the session's CSRF token and, when the browser names an origin, come from this host. */
export function checkCookieWrite(request: FastifyRequest, session: Session): void {
  if (SAFE_METHODS.has(request.method)) return;
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || !sameToken(token, session.csrfToken)) {
    throw new TwisterError(
      'FORBIDDEN',
      `a change made with the console's session cookie needs its ${CSRF_HEADER} header`,
    );
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let from: string | undefined;
  try {
    from = new URL(origin).host.toLowerCase();
  } catch {
    from = undefined;
  }
  if (!from || from !== request.headers.host?.toLowerCase()) {
    throw new TwisterError(
      'FORBIDDEN',
      `a change made with the console's session cookie must come from this console, not from ${JSON.stringify(origin.slice(0, 200))}`,
    );
  }
}
