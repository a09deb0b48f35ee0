// Runbooks: the catalogue (steps per phase, highest risk, source), one runbook's steps, and a dry-run form that
// shows the plan it would make for a ticket's words, a service or a device — nothing is stored or run.
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { json, words } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import type { Plan } from '../types.ts';

interface RunbookSummary {
  id: string;
  title: string;
  description: string | null;
  categories: string[];
  keywords: string[];
  requires: string[];
  steps: { diagnose: number; fix: number; verify: number; rollback: number };
  highestRisk: string;
  backsUp: boolean;
  source: string;
}
interface RunbookStep {
  id?: string;
  capability: string;
  description?: string;
  params?: Record<string, unknown>;
}
interface RunbookData {
  diagnose?: RunbookStep[];
  fix?: RunbookStep[];
  verify?: RunbookStep[];
  rollback?: RunbookStep[];
}
interface DryRun {
  runbookId: string;
  plannable: boolean;
  reason: string | null;
  plan: Plan;
}

export function RunbooksPage() {
  const { path } = useLocation();
  const selected = path.startsWith('/runbooks/') ? decodeURIComponent(path.slice('/runbooks/'.length)) : null;
  const [items, setItems] = useState<RunbookSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: RunbookSummary[] }>('GET', '/api/v1/runbooks').then(
      (r) => setItems(r.items),
      (err: unknown) => setError(errorText(err)),
    );
  }, []);
  const current = items?.find((r) => r.id === selected);
  return (
    <>
      <h1>Runbooks</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {current && <RunbookDetail summary={current} />}
      {items && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Runbook catalogue</caption>
            <thead>
              <tr>
                <th scope="col">Runbook</th>
                <th scope="col">Categories</th>
                <th scope="col">Steps</th>
                <th scope="col">Highest risk</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/runbooks/${r.id}`} className="mono">
                      {r.id}
                    </Link>
                    <br />
                    {r.title}
                  </td>
                  <td>{r.categories.join(', ')}</td>
                  <td>
                    {r.steps.diagnose} diagnose · {r.steps.fix} fix · {r.steps.verify} verify
                    {r.backsUp ? ' · backs up' : ''}
                  </td>
                  <td>
                    <span className={`risk r-${r.highestRisk}`}>{r.highestRisk}</span>
                  </td>
                  <td>{r.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function RunbookDetail({ summary }: { summary: RunbookSummary }) {
  const [data, setData] = useState<RunbookData | null>(null);
  const [result, setResult] = useState<DryRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setResult(null);
    api<{ runbook: RunbookData }>('GET', `/api/v1/runbooks/${summary.id}`).then(
      (r) => setData(r.runbook),
      (err: unknown) => setError(errorText(err)),
    );
  }, [summary.id]);
  const dryRun = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    const context = {
      ...(value('service') ? { serviceName: value('service') } : {}),
      ...(value('device') ? { deviceId: value('device') } : {}),
    };
    setError(null);
    try {
      setResult(
        await api<DryRun>('POST', `/api/v1/runbooks/${summary.id}/dry-run`, {
          ...(value('description') ? { description: value('description') } : {}),
          ...(Object.keys(context).length ? { context } : {}),
        }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section className="card" aria-labelledby="rb-title">
      <h2 id="rb-title">
        {summary.title} <span className={`risk r-${summary.highestRisk}`}>{summary.highestRisk}</span>
      </h2>
      {summary.description && <p>{summary.description}</p>}
      <p className="muted">
        keywords: {summary.keywords.join(', ') || '—'} · needs: {summary.requires.join(', ') || '—'}
      </p>
      {data &&
        (['diagnose', 'fix', 'verify', 'rollback'] as const).map(
          (phase) =>
            (data[phase]?.length ?? 0) > 0 && (
              <div key={phase}>
                <h3>{phase}</h3>
                <ol>
                  {data[phase]!.map((s, i) => (
                    <li key={i}>
                      <span className="mono">{s.capability}</span>
                      {s.description ? ` — ${s.description}` : ''}
                    </li>
                  ))}
                </ol>
              </div>
            ),
        )}
      <h3>Dry run</h3>
      <form onSubmit={(e) => void dryRun(e)} className="dry-run">
        <label htmlFor="dr-description">Ticket text</label>
        <textarea id="dr-description" name="description" rows={2} maxLength={20000} />
        <div className="row">
          <label>
            Service <input name="service" autoComplete="off" />
          </label>
          <label>
            Device <input name="device" autoComplete="off" />
          </label>
        </div>
        <button type="submit">Show the plan</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <div data-testid="dry-run-plan">
          <p>{result.plannable ? `Plan: ${result.plan.title}` : `Not plannable: ${result.reason ?? ''}`}</p>
          <ol className="steps">
            {result.plan.steps?.map((s) => (
              <li key={s.index} className="step">
                <div className="step-head">
                  <span className="phase">{s.phase}</span>
                  <strong className="mono">{s.capability}</strong>
                  <span className={`risk r-${s.risk}`}>{s.risk}</span>
                  <span className={`decision d-${s.decision}`}>{words(s.decision)}</span>
                </div>
                <p className="muted">{s.decisionReason}</p>
                <pre>{json(s.params)}</pre>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
