// Overview: how tickets ended, from the store (verified fixes, escalations, no fault found, approvals waiting,
// time to resolution).
import { useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { words } from '../format.ts';

interface Overview {
  tickets: number;
  byStatus: Record<string, number>;
  byOutcome: Record<string, number>;
  approvalsPending: number;
  resolution: { count: number; medianMs: number | null; p90Ms: number | null };
}

const duration = (ms: number | null) =>
  ms === null
    ? '—'
    : ms < 60_000
      ? `${Math.round(ms / 1000)} s`
      : ms < 3_600_000
        ? `${Math.round(ms / 60_000)} min`
        : `${(ms / 3_600_000).toFixed(1)} h`;

export function OverviewPage() {
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Overview>('GET', '/api/v1/overview').then(setData, (err: unknown) => setError(errorText(err)));
  }, []);
  return (
    <>
      <h1>Overview</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {data && (
        <>
          <ul className="tiles">
            <li>
              <span className="n" data-testid="verified-fixes">
                {data.byOutcome.verified_fix ?? 0}
              </span>{' '}
              verified fixes
            </li>
            <li>
              <span className="n" data-testid="assisted-fixes">
                {data.byOutcome.assisted_fix ?? 0}
              </span>{' '}
              fixes with an approval
            </li>
            <li>
              <span className="n">{data.byStatus.escalated ?? 0}</span> escalated
            </li>
            <li>
              <span className="n">
                {(data.byOutcome.no_fault_found ?? 0) + (data.byOutcome.confirmed_no_fault ?? 0)}
              </span>{' '}
              no fault found
            </li>
            <li>
              <span className="n" data-testid="approvals-waiting">
                {data.approvalsPending}
              </span>{' '}
              approvals waiting
            </li>
            <li>
              <span className="n">{duration(data.resolution.medianMs)}</span> median time to resolution (
              {data.resolution.count} resolved; p90 {duration(data.resolution.p90Ms)})
            </li>
          </ul>
          <h2>By outcome</h2>
          <ul>
            {Object.entries(data.byOutcome).map(([k, v]) => (
              <li key={k}>
                {words(k)}: {v}
              </li>
            ))}
          </ul>
          <h2>By status</h2>
          <ul>
            {Object.entries(data.byStatus).map(([k, v]) => (
              <li key={k}>
                {words(k)}: {v}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
