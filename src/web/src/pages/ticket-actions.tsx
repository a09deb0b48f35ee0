// What a person can do with a ticket, shown by role (the API decides again): confirm that all is well after
// no fault was found, or reopen a ticket whose fault is still there.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { hasRole, useSession } from '../session.tsx';
import type { TicketDetail } from '../types.ts';

export function TicketActions({ detail, onChanged }: { detail: TicketDetail; onChanged: () => void }) {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const { ticket } = detail;
  const mine = ticket.requester === session.name || hasRole(session, 'operator');
  const canConfirm = mine && ticket.status === 'no_fault_found';
  const canReopen = mine && (ticket.status === 'resolved' || ticket.status === 'no_fault_found');
  if (!canConfirm && !canReopen) return null;

  const post = async (action: string, body: Record<string, string>) => {
    setError(null);
    try {
      await api('POST', `/api/v1/tickets/${ticket.id}/${action}`, body);
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const reopen = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void post('reopen', { reason: String(new FormData(event.currentTarget).get('reason') ?? '').trim() });
  };
  return (
    <section aria-labelledby="t-actions" className="card actions">
      <h2 id="t-actions">Actions</h2>
      {canConfirm && (
        <button type="button" onClick={() => void post('confirm', {})}>
          All is well: resolve
        </button>
      )}
      {canReopen && (
        <form onSubmit={reopen} className="inline">
          <label htmlFor="reopen-reason">Still broken? Why</label>
          <input id="reopen-reason" name="reason" required maxLength={2000} />
          <button type="submit">Reopen</button>
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
