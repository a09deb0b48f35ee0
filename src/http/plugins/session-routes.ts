// /api/v1/session: the console signs in by exchanging an API key for a session cookie, reads who it is (and
// the CSRF token its writes echo), and signs out. The key itself never goes back to the browser.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../core/access.ts';
import { TwisterError } from '../../core/errors.ts';
import { errorResponses } from '../openapi.ts';
import type { KeyMatcher } from './auth.ts';
import { clearSessionCookie, writeSessionCookie } from './session-cookie.ts';
import type { SessionStore } from './session-store.ts';

export interface SessionRouteDeps {
  sessions: SessionStore;
  matchKey: KeyMatcher;
  keysConfigured: boolean;
}

const sessionSchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  /** Echo it in X-CSRF-Token on every change made with the cookie; null without a cookie session. */
  csrfToken: z.string().nullable(),
  expiresAt: z.string().nullable(),
  keysConfigured: z.boolean(),
});

export function sessionRoutes(deps: SessionRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/session',
      {
        config: { publicRoute: true },
        schema: {
          operationId: 'signIn',
          tags: ['console'],
          summary: 'Sign in to the console: an API key is exchanged for a session cookie (HttpOnly, SameSite=Strict)',
          body: z.strictObject({ apiKey: z.string().min(1).max(500) }),
          response: { 200: sessionSchema.describe('Signed in; the cookie is set'), ...errorResponses(401) },
        },
      },
      async (request, reply) => {
        if (!deps.keysConfigured)
          return { ...request.identity, csrfToken: null, expiresAt: null, keysConfigured: false };
        const identity = deps.matchKey(request.body.apiKey);
        if (!identity) throw new TwisterError('UNAUTHORIZED', 'invalid API key');
        if (request.consoleSession) deps.sessions.delete(request.consoleSession.id);
        const { id, session } = deps.sessions.create(identity);
        writeSessionCookie(request, reply, id, Math.floor((session.expiresAt - Date.now()) / 1000));
        request.log.info({ name: identity.name, role: identity.role }, 'console session opened');
        return {
          ...identity,
          csrfToken: session.csrfToken,
          expiresAt: new Date(session.expiresAt).toISOString(),
          keysConfigured: true,
        };
      },
    );

    app.get(
      '/api/v1/session',
      {
        schema: {
          operationId: 'getSession',
          tags: ['console'],
          summary: 'Who the console is signed in as',
          response: { 200: sessionSchema.describe('The identity and its session'), ...errorResponses(401) },
        },
      },
      async (request) => {
        const s = request.consoleSession?.session;
        return {
          name: request.identity.name,
          role: request.identity.role,
          csrfToken: s?.csrfToken ?? null,
          expiresAt: s ? new Date(s.expiresAt).toISOString() : null,
          keysConfigured: deps.keysConfigured,
        };
      },
    );

    app.delete(
      '/api/v1/session',
      {
        config: { publicRoute: true },
        schema: {
          operationId: 'signOut',
          tags: ['console'],
          summary: 'Sign out: the session is closed on the server and its cookie cleared',
          response: { 204: z.null().describe('Signed out') },
        },
      },
      async (request, reply) => {
        if (request.consoleSession) deps.sessions.delete(request.consoleSession.id);
        clearSessionCookie(request, reply);
        return reply.status(204).send(null);
      },
    );
  };
}
