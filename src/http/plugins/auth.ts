// API keys: `X-API-Key` (or API_KEY_HEADER) checked against sha256 hashes in constant time. With no keys
// configured (loopback only, enforced by config) every caller is the local admin.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyConfig, ApiRole } from '../../config.ts';
import { assertRole, type Caller } from '../../core/access.ts';
import { TwisterError } from '../../core/errors.ts';

export type Identity = Caller;

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
  }
  interface FastifyContextConfig {
    /** The handler checks roles per operation (MCP: one POST carries reads and calls alike). */
    rolesCheckedByHandler?: boolean;
  }
}
const PUBLIC_PREFIXES = ['/health', '/metrics', '/docs'];

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function requireRole(request: FastifyRequest, role: ApiRole, what: string): void {
  assertRole(request.identity, role, what);
}

export function registerAuth(app: FastifyInstance, options: { keys: readonly ApiKeyConfig[]; header: string }): void {
  const keys = options.keys.map((k) => ({ ...k, digest: Buffer.from(k.sha256, 'hex') }));
  const local: Identity = { name: 'local', role: 'admin' };
  app.decorateRequest('identity', null as unknown as Identity);
  app.addHook('onRequest', async (request) => {
    if (keys.length === 0) {
      request.identity = local;
      return;
    }
    const path = request.url.split('?')[0]!;
    const isPublic = PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    const presented = request.headers[options.header];
    if (typeof presented !== 'string' || presented.length === 0) {
      if (isPublic) return;
      throw new TwisterError('UNAUTHORIZED', `missing API key: send it in the ${options.header} header`);
    }
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const match = keys.find((k) => timingSafeEqual(k.digest, digest));
    if (!match) throw new TwisterError('UNAUTHORIZED', 'invalid API key');
    request.identity = { name: match.name, role: match.role };
  });
  app.addHook('preHandler', async (request) => {
    // Reads are open to every role; anything else needs at least an operator.
    if (request.routeOptions.config.rolesCheckedByHandler) return;
    if (request.identity && request.method !== 'GET' && request.method !== 'HEAD') requireRole(request, 'operator', `${request.method} ${request.routeOptions.url}`);
  });
}
