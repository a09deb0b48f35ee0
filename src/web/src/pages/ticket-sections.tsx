// The parts of a ticket's timeline. Outputs and parameters are JSON shown as text in <pre>, never as markup.
import { figures, json, when, words } from '../format.ts';
import type { Analysis, Approval, AuditEvent, Execution, Finding, StepRecord } from '../types.ts';

export function AnalysisSection({ analysis }: { analysis: Analysis }) {
  return (
    <section aria-labelledby="t-analysis">
      <h2 id="t-analysis">Analysis</h2>
      <p>{analysis.summary}</p>
      <dl className="facts">
        <div>
          <dt>Sentiment</dt>
          <dd>{analysis.sentiment}</dd>
        </div>
        <div>
          <dt>Urgency</dt>
          <dd>{analysis.urgency}</dd>
        </div>
        <div>
          <dt>Category</dt>
          <dd>{analysis.category}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{analysis.priority}</dd>
        </div>
        <div>
          <dt>Confidence</dt>
          <dd>{Math.round(analysis.confidence * 100)} %</dd>
        </div>
        <div>
          <dt>By</dt>
          <dd>
            {analysis.path === 'llm' ? 'the model' : 'the rules'}
            {analysis.fallbackReason ? ` (${analysis.fallbackReason})` : ''}
          </dd>
        </div>
      </dl>
      <ul className="why">
        {(['sentiment', 'category', 'priority'] as const).map(
          (k) =>
            analysis.evidence[k].length > 0 && (
              <li key={k}>
                <strong>{k}: </strong>
                {analysis.evidence[k].join('; ')}
              </li>
            ),
        )}
        {analysis.flags?.map((f) => (
          <li key={f} className="warn">
            {words(f)}
          </li>
        ))}
        {analysis.context?.ambiguous?.map((a) => (
          <li key={a.mention}>
            “{a.mention}” could be {a.candidates.join(' or ')}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function FindingsSection({ findings }: { findings: Finding[] }) {
  return (
    <section aria-labelledby="t-findings">
      <h2 id="t-findings">Findings</h2>
      {findings.length === 0 ? (
        <p className="muted">No fault confirmed (yet).</p>
      ) : (
        <ul className="findings">
          {findings.map((f) => (
            <li key={`${f.id}:${f.target}`}>
              <span className={`badge f-${f.state}`}>{f.state}</span> <strong className="mono">{f.id}</strong> on{' '}
              {f.target}
              <p>{f.summary}</p>
              <p className="figures">{figures(f.evidence)}</p>
              <p className="muted">
                seen by {f.runbookId} / {f.check}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ExecutionSection({
  execution,
  steps,
  approvals,
}: {
  execution: Execution;
  steps: StepRecord[];
  approvals: Approval[];
}) {
  const plan = execution.plan;
  const ran = new Map(steps.filter((s) => s.executionId === execution.id).map((s) => [s.index, s]));
  const title =
    plan.stage === 'diagnosis'
      ? 'Diagnosis'
      : plan.stage === 'remedy'
        ? 'Remedy'
        : execution.dryRun
          ? 'Dry run'
          : 'Plan';
  return (
    <section aria-labelledby={`x-${execution.id}`} className="execution">
      <h2 id={`x-${execution.id}`}>
        {title}: {plan.title}
      </h2>
      <p className="muted">
        {plan.runbookId ? `runbook ${plan.runbookId} · ` : ''}started {when(execution.createdAt)}
        {execution.finishedAt ? ` · finished ${when(execution.finishedAt)}` : ' · running'}
        {execution.success !== null ? ` · ${execution.success ? 'succeeded' : 'failed'}` : ''}
      </p>
      {execution.summary && <p>{execution.summary}</p>}
      {plan.escalation && <p className="note warn">{plan.escalation}</p>}
      <ol className="steps">
        {plan.steps.map((p) => {
          const record = ran.get(p.index);
          const approval = approvals.find((a) => a.executionId === execution.id && a.stepIndex === p.index);
          return (
            <li key={p.index} className="step" data-step={p.capability} data-status={record?.status ?? 'planned'}>
              <div className="step-head">
                <span className="phase">{p.phase}</span>
                <strong className="mono">{p.capability}</strong>
                <span className={`risk r-${p.risk}`}>{p.risk}</span>
                <span className={`decision d-${p.decision}`} title={p.decisionReason}>
                  {words(p.decision)}
                </span>
                <span className={`badge st-${record?.status ?? 'planned'}`}>
                  {record ? words(record.status) : 'not run'}
                </span>
                {record && <span className="muted">{record.durationMs} ms</span>}
              </div>
              <p>{p.description}</p>
              <p className="muted">
                {p.decisionReason}
                {approval
                  ? ` · ${approval.status === 'consumed' ? 'approved' : approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}`
                  : ''}
              </p>
              <details>
                <summary>Parameters</summary>
                <pre>{json(record?.params ?? p.params)}</pre>
              </details>
              {record?.error && (
                <p className="error">
                  {record.error.code}: {record.error.message}
                </p>
              )}
              {record && record.output != null && (
                <details open={record.phase !== 'diagnose'}>
                  <summary>Output</summary>
                  <pre className="output">{json(record.output)}</pre>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export function AuditSection({ audit }: { audit: AuditEvent[] }) {
  return (
    <section aria-labelledby="t-audit">
      <h2 id="t-audit">Audit trail</h2>
      <ol className="audit">
        {audit.map((a) => (
          <li key={a.id}>
            <time dateTime={a.at}>{when(a.at)}</time> <strong>{a.actor}</strong> {words(a.action)}
            {a.fromStatus || a.toStatus ? ` (${words(a.fromStatus)} → ${words(a.toStatus)})` : ''}
            {Object.keys(a.details).length > 0 && (
              <details>
                <summary>details</summary>
                <pre>{json(a.details)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export interface Delivery {
  id: string;
  channel: string;
  event: string;
  status: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export function NotificationsSection({ deliveries }: { deliveries: Delivery[] }) {
  return (
    <section aria-labelledby="t-notifications">
      <h2 id="t-notifications">Notifications</h2>
      {deliveries.length === 0 ? (
        <p className="muted">None sent for this ticket.</p>
      ) : (
        <ul>
          {deliveries.map((d) => (
            <li key={d.id}>
              {words(d.event)} to <strong>{d.channel}</strong>: {d.status}
              {d.deliveredAt ? ` at ${when(d.deliveredAt)}` : ''}
              {d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}
              {d.lastError ? ` (last error: ${d.lastError})` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
