// API keys: `X-API-Key` (or API_KEY_HEADER), or `Authorization: Bearer <key>` as MCP clients send it, checked
// against sha256 hashes in constant time, or a console session cookie (exchanged for a key at POST
// /api/v1/session). With no keys configured (loopback only, enforced by config) every caller is the local admin.
// A 401 names the scheme (`WWW-Authenticate: Bearer`); the OAuth discovery documents under /.well-known are public
// and answered 404: there is no authorization server, so an MCP client must not go looking for one.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyConfig, ApiRole } from '../../config.ts';
import { assertRole, type Caller } from '../../core/access.ts';
import { TwisterError } from '../../core/errors.ts';
import { checkCookieWrite, readSessionCookie } from './session-cookie.ts';
import type { Session, SessionStore } from './session-store.ts';

export type Identity = Caller;

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
    /** The console session the request came with, when it was authenticated by its cookie. */
    consoleSession: { id: string; session: Session } | null;
  }
  interface FastifyContextConfig {
    /** The handler checks roles per operation (MCP: one POST carries reads and calls alike). */
    rolesCheckedByHandler?: boolean;
    /** Answered without a key (the console's pages and assets, signing in). */
    publicRoute?: boolean;
  }
}
const PUBLIC_PREFIXES = ['/health', '/metrics', '/docs', '/.well-known'];

/** Routes answered without a key (also documented so: `security: []`). */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

const CHALLENGE = 'Bearer realm="twisterlab"';

function presentedKey(request: FastifyRequest, header: string): string | undefined {
  const own = request.headers[header];
  if (typeof own === 'string' && own.length > 0) return own;
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function requireRole(request: FastifyRequest, role: ApiRole, what: string): void {
  assertRole(request.identity, role, what);
}

/** The identity a presented key belongs to, or undefined; every key is compared, in constant time. */
export type KeyMatcher = (presented: string) => Identity | undefined;

export function createKeyMatcher(configured: readonly ApiKeyConfig[]): KeyMatcher {
  const keys = configured.map((k) => ({ name: k.name, role: k.role, digest: Buffer.from(k.sha256, 'hex') }));
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const match = keys.find((k) => timingSafeEqual(k.digest, digest));
    return match ? { name: match.name, role: match.role } : undefined;
  };
}

export interface AuthOptions {
  keys: readonly ApiKeyConfig[];
  header: string;
  sessions?: SessionStore;
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const match = createKeyMatcher(options.keys);
  const local: Identity = { name: 'local', role: 'admin' };
  app.decorateRequest('identity', null as unknown as Identity);
  app.decorateRequest('consoleSession', null);
  app.addHook('onRequest', async (request, reply) => {
    if (options.keys.length === 0) {
      request.identity = local;
      return;
    }
    // Any route takes the key as `Authorization: Bearer` too: MCP clients and webhook senders (Alertmanager's
    // http_config) can send only that.
    const isPublic = request.routeOptions.config?.publicRoute === true || isPublicPath(request.url);
    const presented = presentedKey(request, options.header);
    if (presented === undefined) {
      const cookie = readSessionCookie(request);
      const session = cookie !== undefined ? options.sessions?.get(cookie) : undefined;
      if (session) {
        checkCookieWrite(request, session);
        request.identity = session.identity;
        request.consoleSession = { id: cookie!, session };
        return;
      }
      if (isPublic) return;
      reply.header('www-authenticate', CHALLENGE);
      if (cookie !== undefined)
        throw new TwisterError('UNAUTHORIZED', 'the console session has expired or was closed: sign in again');
      throw new TwisterError(
        'UNAUTHORIZED',
        `missing API key: send it in the ${options.header} header or as Authorization: Bearer <key>`,
      );
    }
    const identity = match(presented);
    if (!identity) {
      reply.header('www-authenticate', `${CHALLENGE}, error="invalid_token"`);
      throw new TwisterError('UNAUTHORIZED', 'invalid API key');
    }
    request.identity = identity;
  });
  app.addHook('preHandler', async (request) => {
    // Reads are open to every role; anything else needs at least an operator.
    if (request.routeOptions.config.rolesCheckedByHandler || request.routeOptions.config.publicRoute) return;
    if (request.identity && request.method !== 'GET' && request.method !== 'HEAD')
      requireRole(request, 'operator', `${request.method} ${request.routeOptions.url}`);
  });
}
