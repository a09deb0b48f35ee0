// Approvals: what waits, oldest first, each with the exact step, its hash and the diagnosis behind it. Refreshed
// when any ticket changes state (a new approval is asked when a ticket enters awaiting_approval).
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { useEventStream, useThrottled } from '../live.ts';
import type { Approval, TicketDetail } from '../types.ts';
import { ApprovalCard } from './approval-card.tsx';

export function ApprovalsPage() {
  const [items, setItems] = useState<Approval[] | null>(null);
  const [details, setDetails] = useState<Record<string, TicketDetail>>({});
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api<{ items: Approval[] }>('GET', '/api/v1/approvals?status=pending')
      .then(async ({ items: pending }) => {
        const ids = [...new Set(pending.map((a) => a.ticketId))];
        const loaded = await Promise.all(
          ids.map((id) => api<TicketDetail>('GET', `/api/v1/tickets/${id}`).catch(() => null)),
        );
        setDetails(
          Object.fromEntries(loaded.filter((d): d is TicketDetail => d !== null).map((d) => [d.ticket.id, d])),
        );
        setItems(pending);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, []);
  useEffect(load, [load]);
  useEventStream('/api/v1/events', { status: useThrottled(load, 500) });
  // The time left counts down without a reload.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <>
      <h1>Approvals</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items && items.length === 0 && <p className="muted">Nothing waits for an approval.</p>}
      {items?.map((a) => (
        <ApprovalCard key={a.id} approval={a} detail={details[a.ticketId] ?? null} onDecided={load} showTicket />
      ))}
    </>
  );
}
