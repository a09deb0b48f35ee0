// A person takes the ticket over: assign it to a name, comment, resolve it with a note, or run it through the
// loop again. Shown by role as the API decides (operators and admins; a requester may comment on their own
// ticket); the API checks again. Comments are rendered as text.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { when } from '../format.ts';
import { hasRole, useSession } from '../session.tsx';
import type { Comment, TicketDetail } from '../types.ts';

/** Where a person may resolve (the states that may move to resolved in core's ticket.ts) or re-run (RERUN_FROM). */
const RESOLVE_FROM = new Set([
  'new',
  'triaged',
  'planned',
  'awaiting_approval',
  'verifying',
  'no_fault_found',
  'escalated',
]);
const RERUN_FROM = new Set(['escalated', 'no_fault_found', 'resolved']);

const field = (event: FormEvent<HTMLFormElement>, name: string) =>
  String(new FormData(event.currentTarget).get(name) ?? '').trim();

export function HandoffActions({ detail, onChanged }: { detail: TicketDetail; onChanged: () => void }) {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const { ticket } = detail;
  const operator = hasRole(session, 'operator');
  const canComment = operator || ticket.requester === session.name;
  if (!canComment) return null;
  const canResolve = operator && RESOLVE_FROM.has(ticket.status);
  const canRerun = operator && RERUN_FROM.has(ticket.status);

  const submit =
    (action: string, build: (e: FormEvent<HTMLFormElement>) => Record<string, unknown>) =>
    (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const form = event.currentTarget;
      const body = build(event);
      setError(null);
      api('POST', `/api/v1/tickets/${ticket.id}/${action}`, body).then(
        () => {
          form.reset();
          onChanged();
        },
        (err: unknown) => setError(errorText(err)),
      );
    };
  return (
    <section aria-labelledby="t-handoff" className="card actions handoff">
      <h2 id="t-handoff">Take it over</h2>
      {operator && (
        <form onSubmit={submit('assign', (e) => ({ assignee: field(e, 'assignee') || null }))} className="inline">
          <label htmlFor="assign-to">Assign to (empty: nobody)</label>
          <input
            id="assign-to"
            name="assignee"
            maxLength={200}
            defaultValue={ticket.assignee ?? ''}
            key={ticket.assignee ?? ''}
            autoComplete="off"
          />
          <button type="submit">Assign</button>
        </form>
      )}
      <form onSubmit={submit('comments', (e) => ({ body: field(e, 'body') }))} className="inline">
        <label htmlFor="comment-body">Comment</label>
        <textarea id="comment-body" name="body" required maxLength={20000} rows={2} />
        <button type="submit">Add comment</button>
      </form>
      {canResolve && (
        <form onSubmit={submit('resolve', (e) => ({ note: field(e, 'note') }))} className="inline">
          <label htmlFor="resolve-note">Resolution note</label>
          <input id="resolve-note" name="note" required maxLength={2000} />
          <button type="submit">Resolve</button>
        </form>
      )}
      {canRerun && (
        <form onSubmit={submit('rerun', (e) => ({ reason: field(e, 'reason') }))} className="inline">
          <label htmlFor="rerun-reason">Why run it again</label>
          <input id="rerun-reason" name="reason" required maxLength={2000} />
          <button type="submit">Re-run</button>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}

export function CommentsSection({ comments }: { comments: Comment[] }) {
  return (
    <section aria-labelledby="t-comments">
      <h2 id="t-comments">Comments</h2>
      {comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ol className="comments">
          {comments.map((c) => (
            <li key={c.id} data-comment={c.id}>
              <time dateTime={c.createdAt}>{when(c.createdAt)}</time> <strong>{c.author}</strong>{' '}
              <span className="muted">({c.source})</span>
              <p className="comment-body">{c.body}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
