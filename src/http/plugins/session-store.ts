// Console sign-in sessions, kept server-side: the cookie carries only a random id, the store keeps who signed
// in, the CSRF token their writes must echo, and an absolute expiry. Ids are kept hashed, so a dump of the map
// holds nothing a browser could present. In memory: a restart signs everybody out, which is safe.
import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../../core/access.ts';

export interface Session {
  identity: Caller;
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStore {
  /** Returns the cookie value (shown once) with the session it opens. */
  create(identity: Caller): { id: string; session: Session };
  get(id: string): Session | undefined;
  delete(id: string): void;
  size(): number;
}

export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** Past this many live sessions the oldest are dropped: a flood of sign-ins cannot grow memory without bound. */
const MAX_SESSIONS = 10_000;

const digest = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

export function createSessionStore(options: { ttlMs?: number; now?: () => number } = {}): SessionStore {
  const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const sweep = () => {
    const t = now();
    for (const [key, s] of sessions) if (s.expiresAt <= t) sessions.delete(key);
    // Map iteration follows insertion order: the first keys are the oldest sessions.
    for (const key of sessions.keys()) {
      if (sessions.size < MAX_SESSIONS) break;
      sessions.delete(key);
    }
  };
  return {
    create(identity) {
      sweep();
      const id = randomBytes(32).toString('base64url');
      const session: Session = {
        identity: { name: identity.name, role: identity.role },
        csrfToken: randomBytes(24).toString('base64url'),
        expiresAt: now() + ttlMs,
      };
      sessions.set(digest(id), session);
      return { id, session };
    },
    get(id) {
      const key = digest(id);
      const session = sessions.get(key);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(key);
        return undefined;
      }
      return session;
    },
    delete(id) {
      sessions.delete(digest(id));
    },
    size: () => sessions.size,
  };
}
