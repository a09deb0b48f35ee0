// Who is signed in, shared with every page: role checks decide which actions show (the API still enforces them).
import { createContext, useContext } from 'react';
import type { Role, SessionInfo } from './types.ts';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export const hasRole = (session: SessionInfo, role: Role): boolean => RANK[session.role] >= RANK[role];
