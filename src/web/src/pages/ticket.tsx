// A ticket's own page (/tickets/<id>): what was asked, the analysis, the findings with their figures, each plan
// with its steps (risk, policy decision, live status and output), approvals, actions by role, and the audit
// trail. Everything from the ticket or a system is rendered as text.
import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { when, words } from '../format.ts';
import { useEventStream, useThrottled } from '../live.ts';
import { Link } from '../router.tsx';
import { SETTLED, type Approval, type TicketDetail } from '../types.ts';
import { ApprovalCard } from './approval-card.tsx';
import {
  AnalysisSection,
  AuditSection,
  ExecutionSection,
  FindingsSection,
  NotificationsSection,
  type Delivery,
} from './ticket-sections.tsx';
import { TicketActions } from './ticket-actions.tsx';
import { CommentsSection, HandoffActions } from './ticket-handoff.tsx';

export function TicketPage({ id }: { id: string }) {
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [error, setError] = useState<string | null>(null);
  // Bumped when the ticket moves again after its stream ended (an approval was decided, it was reopened).
  const [stream, setStream] = useState(0);

  const load = useCallback(() => {
    api<TicketDetail>('GET', `/api/v1/tickets/${encodeURIComponent(id)}`).then(
      (d) => {
        setDetail(d);
        setError(null);
      },
      (err: unknown) => setError(errorText(err)),
    );
    api<{ items: Approval[] }>('GET', `/api/v1/approvals?ticketId=${encodeURIComponent(id)}`).then(
      (a) => setApprovals(a.items),
      () => setApprovals([]),
    );
    api<{ items: Delivery[] }>('GET', `/api/v1/tickets/${encodeURIComponent(id)}/notifications`).then(
      (n) => setDeliveries(n.items),
      () => setDeliveries([]),
    );
  }, [id]);
  useEffect(load, [load]);
  const reload = useThrottled(load, 250);

  const live = detail !== null && !SETTLED.has(detail.ticket.status) && detail.ticket.status !== 'awaiting_approval';
  useEventStream(
    live ? `/api/v1/tickets/${encodeURIComponent(id)}/events` : null,
    {
      snapshot: (data) => setDetail(data as TicketDetail),
      analysis: reload,
      plan: reload,
      step: reload,
      status: reload,
      done: reload,
      updated: reload,
      comment: reload,
    },
    stream,
  );
  const ours = (data: unknown) => (data as { ticketId?: string }).ticketId === id;
  useEventStream('/api/v1/events', {
    status: (data) => {
      if (!ours(data)) return;
      reload();
      setStream((n) => n + 1);
    },
    // Someone else assigned or commented while this page is open.
    updated: (data) => {
      if (ours(data)) reload();
    },
    comment: (data) => {
      if (ours(data)) reload();
    },
  });

  const changed = () => {
    load();
    setStream((n) => n + 1);
  };

  if (error && !detail)
    return (
      <>
        <h1>Ticket</h1>
        <p role="alert" className="error">
          {error}
        </p>
        <Link href="/">Back to the inbox</Link>
      </>
    );
  if (!detail) return <p aria-busy="true">Loading…</p>;
  const { ticket } = detail;
  const pending = approvals.filter((a) => a.status === 'pending');
  return (
    <article className="ticket">
      <p className="crumbs">
        <Link href="/">Inbox</Link> / <span className="mono">{ticket.id}</span>
      </p>
      <h1>
        Ticket{' '}
        <span className={`badge s-${ticket.status}`} data-testid="ticket-status">
          {words(ticket.status)}
        </span>
      </h1>
      {ticket.title && (
        <p className="title" data-testid="ticket-title">
          <strong>{ticket.title}</strong>
        </p>
      )}
      <p className="description" data-testid="ticket-description">
        {ticket.description}
      </p>
      {ticket.handoffSummary && (
        <p className="note warn" data-testid="handoff-summary" style={{ whiteSpace: 'pre-line' }}>
          <strong>For the person taking over: </strong>
          {ticket.handoffSummary}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>Team</dt>
          <dd data-testid="ticket-team">{ticket.team ?? '—'}</dd>
        </div>
        <div>
          <dt>Assignee</dt>
          <dd data-testid="ticket-assignee">{ticket.assignee ?? 'nobody'}</dd>
        </div>
        <div>
          <dt>Intent</dt>
          <dd>{words(ticket.intent ?? null)}</dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>{words(ticket.outcome)}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{words(ticket.category)}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{words(ticket.priority)}</dd>
        </div>
        <div>
          <dt>Service</dt>
          <dd>{ticket.context.serviceName ?? ticket.analysis?.context?.serviceName ?? '—'}</dd>
        </div>
        <div>
          <dt>Device</dt>
          <dd>{ticket.context.deviceId ?? '—'}</dd>
        </div>
        <div>
          <dt>Requester</dt>
          <dd>{ticket.requester}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>
            {ticket.source}
            {ticket.externalId ? ` · ${ticket.externalId}` : ''}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{when(ticket.createdAt)}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{when(ticket.updatedAt)}</dd>
        </div>
      </dl>
      {ticket.resolvedBy && (
        <p className="muted" data-testid="resolved-by">
          Resolved by {ticket.resolvedBy}
          {ticket.resolvedAt ? ` ${when(ticket.resolvedAt)}` : ''}
        </p>
      )}
      {ticket.resolutionNote && (
        <p className="note ok">
          <strong>Resolution: </strong>
          {ticket.resolutionNote}
        </p>
      )}
      {ticket.escalationReason && (
        <p className="note warn">
          <strong>Handed to a human: </strong>
          {ticket.escalationReason}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {pending.length > 0 && (
        <section aria-labelledby="t-approvals">
          <h2 id="t-approvals">Waiting for approval</h2>
          {pending.map((a) => (
            <ApprovalCard key={a.id} approval={a} detail={detail} onDecided={load} />
          ))}
        </section>
      )}
      <TicketActions detail={detail} onChanged={changed} />
      <HandoffActions detail={detail} onChanged={changed} />
      {ticket.analysis && <AnalysisSection analysis={ticket.analysis} />}
      <FindingsSection findings={ticket.findings} />
      {detail.executions.map((e) => (
        <ExecutionSection key={e.id} execution={e} steps={detail.steps} approvals={approvals} />
      ))}
      <CommentsSection comments={detail.comments ?? []} />
      <NotificationsSection deliveries={deliveries} />
      <AuditSection audit={detail.audit} />
    </article>
  );
}
