// One pending approval: exactly what would run (capability, parameters, the hash that binds them), the diagnosis
// figures behind it, who asked and the time left; approve or deny (with a reason) for an admin who did not ask.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { figures, json, timeLeft, when } from '../format.ts';
import { Link } from '../router.tsx';
import { hasRole, useSession } from '../session.tsx';
import type { Approval, TicketDetail } from '../types.ts';

export function ApprovalCard({
  approval,
  detail,
  onDecided,
  showTicket = false,
}: {
  approval: Approval;
  detail: TicketDetail | null;
  onDecided: () => void;
  showTicket?: boolean;
}) {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const execution = detail?.executions.find((e) => e.id === approval.executionId);
  const step = execution?.plan.steps.find((s) => s.index === approval.stepIndex);
  const findings = execution?.plan.findings ?? [];
  const mayDecide = hasRole(session, 'admin') && approval.status === 'pending';
  const own = approval.requestedBy === session.name;

  const decide = async (action: 'approve' | 'deny', reason?: string) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/v1/approvals/${approval.id}/${action}`, action === 'deny' ? { reason } : undefined);
      onDecided();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const deny = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void decide('deny', String(new FormData(event.currentTarget).get('reason') ?? '').trim());
  };
  const label = `approval-${approval.id}`;
  return (
    <section className="card approval" aria-labelledby={label} data-approval={approval.id}>
      <h3 id={label}>
        {step ? <span className="mono">{step.capability}</span> : `step ${approval.stepIndex}`}
        {step && (
          <>
            {' '}
            <span className={`risk r-${step.risk}`}>{step.risk}</span>
          </>
        )}
      </h3>
      {showTicket && detail && (
        <p className="description short">
          <Link href={`/tickets/${approval.ticketId}`}>{detail.ticket.description}</Link>
        </p>
      )}
      {step && <p>{step.description}</p>}
      <dl className="facts">
        <div>
          <dt>Asked by</dt>
          <dd>{approval.requestedBy}</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>{when(approval.createdAt)}</dd>
        </div>
        <div>
          <dt>Time left</dt>
          <dd data-testid="time-left">{timeLeft(approval.expiresAt)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{approval.status}</dd>
        </div>
      </dl>
      <p className="muted">Policy: {step?.decisionReason ?? '—'}</p>
      <h4>Exact parameters</h4>
      <pre data-testid="approval-params">{json(step?.params ?? null)}</pre>
      <p className="hash">
        sha256{' '}
        <span className="mono" data-testid="approval-hash">
          {approval.stepHash}
        </span>
      </p>
      <h4>Diagnosis</h4>
      {findings.length === 0 ? (
        <p className="muted">No finding recorded.</p>
      ) : (
        <ul className="findings">
          {findings.map((f) => (
            <li key={`${f.id}:${f.target}`}>
              <strong className="mono">{f.id}</strong> on {f.target}: {f.summary}
              <p className="figures">{figures(f.evidence)}</p>
            </li>
          ))}
        </ul>
      )}
      {mayDecide && own && <p className="note">You asked for this change: another admin decides.</p>}
      {mayDecide && !own && (
        <div className="decide">
          <button type="button" className="approve" disabled={busy} onClick={() => void decide('approve')}>
            Approve
          </button>
          <form onSubmit={deny} className="deny">
            <label htmlFor={`reason-${approval.id}`}>Reason to deny</label>
            <input id={`reason-${approval.id}`} name="reason" required maxLength={2000} />
            <button type="submit" className="danger" disabled={busy}>
              Deny
            </button>
          </form>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
