// Inbox: every ticket with its status, category, priority, service and age; filters, search and pages in the
// URL (shareable); new tickets and status changes arrive live from the ticket event feed.
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { age, words } from '../format.ts';
import { useEventStream, useThrottled } from '../live.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { hasRole, useSession } from '../session.tsx';
import { CATEGORIES, PRIORITIES, TICKET_STATUSES, type Ticket } from '../types.ts';
import { NewTicketForm } from './new-ticket-form.tsx';

const PAGE = 25;
const FILTERS = [
  { name: 'status', label: 'Status', values: TICKET_STATUSES },
  { name: 'category', label: 'Category', values: CATEGORIES },
  { name: 'priority', label: 'Priority', values: PRIORITIES },
] as const;

const SEARCH_DEPTH = 200;

interface TicketPage {
  items: Ticket[];
  total: number;
}

function matches(t: Ticket, q: string): boolean {
  const service = t.context.serviceName ?? t.analysis?.context?.serviceName ?? '';
  return [t.description, service, t.context.deviceId ?? '', t.id, t.requester, t.team ?? '', t.assignee ?? ''].some(
    (v) => v.toLowerCase().includes(q),
  );
}

export function InboxPage() {
  const session = useSession();
  const { search } = useLocation();
  const [page, setPage] = useState<TicketPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const offset = Number(search.get('offset') ?? '0') || 0;
  const query = search.toString();

  const load = useCallback(() => {
    const params = new URLSearchParams();
    for (const f of FILTERS) if (search.get(f.name)) params.set(f.name, search.get(f.name)!);
    const q = search.get('q')?.toLowerCase();
    // The list API filters by fields; words are searched here among the newest SEARCH_DEPTH that match them.
    params.set('limit', String(q ? SEARCH_DEPTH : PAGE));
    params.set('offset', String(q ? 0 : offset));
    api<TicketPage>('GET', `/api/v1/tickets?${params}`).then(
      (p) => {
        if (q) {
          const hits = p.items.filter((t) => matches(t, q));
          setPage({ items: hits.slice(offset, offset + PAGE), total: hits.length });
        } else setPage(p);
        setError(null);
      },
      (err: unknown) => setError(errorText(err)),
    );
  }, [query]);
  useEffect(load, [load]);
  const reload = useThrottled(load, 500);
  useEventStream('/api/v1/events', { status: reload });

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'offset') next.delete('offset');
    navigate(`/${next.size ? `?${next}` : ''}`);
  };

  return (
    <>
      <h1>Inbox</h1>
      {hasRole(session, 'operator') && <NewTicketForm />}
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', String(new FormData(e.currentTarget).get('q') ?? '').trim());
        }}
      >
        {FILTERS.map((f) => (
          <label key={f.name}>
            {f.label}
            <select name={f.name} value={search.get(f.name) ?? ''} onChange={(e) => setParam(f.name, e.target.value)}>
              <option value="">any</option>
              {f.values.map((v) => (
                <option key={v} value={v}>
                  {words(v)}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          Search
          <input
            type="search"
            name="q"
            defaultValue={search.get('q') ?? ''}
            key={search.get('q') ?? ''}
            placeholder="words, service, assignee, id"
          />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {page && <TicketTable tickets={page.items} />}
      {page && (
        <nav className="pages" aria-label="Pages">
          <span aria-live="polite">
            {page.total === 0 ? 'No tickets' : `${offset + 1}–${Math.min(offset + PAGE, page.total)} of ${page.total}`}
          </span>
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setParam('offset', String(Math.max(0, offset - PAGE)))}
          >
            Newer
          </button>
          <button
            type="button"
            disabled={offset + PAGE >= page.total}
            onClick={() => setParam('offset', String(offset + PAGE))}
          >
            Older
          </button>
        </nav>
      )}
    </>
  );
}

function TicketTable({ tickets }: { tickets: Ticket[] }) {
  return (
    <div className="table-wrap">
      <table className="tickets">
        <caption className="sr-only">Tickets, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">Status</th>
            <th scope="col">Category</th>
            <th scope="col">Priority</th>
            <th scope="col">Service</th>
            <th scope="col">Team</th>
            <th scope="col">Assignee</th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((t) => (
            <tr key={t.id} data-ticket={t.id}>
              <td className="desc">
                <Link href={`/tickets/${t.id}`}>
                  {t.description.length > 140 ? `${t.description.slice(0, 140)}…` : t.description}
                </Link>
              </td>
              <td>
                <span className={`badge s-${t.status}`}>{words(t.status)}</span>
              </td>
              <td>{words(t.category)}</td>
              <td>
                <span className={`prio p-${t.priority ?? 'none'}`}>{words(t.priority)}</span>
              </td>
              <td>{t.context.serviceName ?? t.analysis?.context?.serviceName ?? '—'}</td>
              <td>{t.team ?? '—'}</td>
              <td className="assignee">{t.assignee ?? '—'}</td>
              <td>
                <time dateTime={t.createdAt} title={new Date(t.createdAt).toLocaleString()}>
                  {age(t.createdAt)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
