// The console's shell: sign-in when there is no session, otherwise the navigation and the page for the URL.
import { useCallback, useEffect, useState } from 'react';
import { api, onSignedOut, setCsrfToken } from './api.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { SessionContext } from './session.tsx';
import type { SessionInfo } from './types.ts';
import { ApprovalsPage } from './pages/approvals.tsx';
import { DevicesPage } from './pages/devices.tsx';
import { InboxPage } from './pages/inbox.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { RunbooksPage } from './pages/runbooks.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TicketPage } from './pages/ticket.tsx';

const NAV = [
  { href: '/', label: 'Inbox' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/runbooks', label: 'Runbooks' },
  { href: '/devices', label: 'Devices' },
  { href: '/overview', label: 'Overview' },
];

function Page({ path }: { path: string }) {
  const ticket = /^\/tickets\/([^/]+)$/.exec(path);
  if (ticket) return <TicketPage id={decodeURIComponent(ticket[1]!)} />;
  if (path === '/approvals') return <ApprovalsPage />;
  if (path === '/runbooks' || path.startsWith('/runbooks/')) return <RunbooksPage />;
  if (path === '/devices') return <DevicesPage />;
  if (path === '/overview') return <OverviewPage />;
  return <InboxPage />;
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null | false>(null);
  const { path } = useLocation();
  const signedIn = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setSession(info);
  }, []);
  useEffect(() => {
    onSignedOut(() => setSession(false));
    api<SessionInfo>('GET', '/api/v1/session').then(signedIn, () => setSession(false));
  }, [signedIn]);

  useEffect(() => {
    const name =
      path === '/'
        ? 'Inbox'
        : (NAV.find((n) => n.href === path)?.label ?? (path.startsWith('/tickets/') ? 'Ticket' : 'Console'));
    document.title = `${name} · TwisterLab`;
  }, [path]);

  if (session === null)
    return (
      <main id="main" className="loading" aria-busy="true">
        Loading…
      </main>
    );
  if (session === false) return <SignInPage onSignedIn={signedIn} />;

  const signOut = async () => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    setCsrfToken(null);
    setSession(false);
    navigate('/');
  };
  const current = (href: string) =>
    href === '/' ? path === '/' || path.startsWith('/tickets/') : path.startsWith(href);
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">TwisterLab</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={current(n.href) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="who">
            {session.name} ({session.role})
          </span>
          {session.keysConfigured && (
            <button type="button" className="link" onClick={() => void signOut()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </SessionContext.Provider>
  );
}
