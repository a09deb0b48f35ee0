// Services: every declared service with its latest health (endpoint without credentials), and for operators
// a button that checks one again now. Everything is rendered as text.
import { useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { hasRole, useSession } from '../session.tsx';

interface ServiceHealth {
  healthy: boolean;
  detail: string;
  latencyMs: number;
  checkedAt: string;
  failure?: string;
}
interface Service {
  name: string;
  kind: string;
  target: string;
  device: string;
  category?: string;
  health: ServiceHealth;
}

export function ServicesSection() {
  const [items, setItems] = useState<Service[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Service[] }>('GET', '/api/v1/services').then(
      (r) => setItems(r.items),
      (err: unknown) => setError(errorText(err)),
    );
  }, []);
  const replace = (next: Service) => setItems((all) => all?.map((s) => (s.name === next.name ? next : s)) ?? null);
  return (
    <section aria-labelledby="services-heading">
      <h2 id="services-heading">Services</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items === null && !error && <p className="muted">Checking the services…</p>}
      {items?.length === 0 && <p className="muted">No service is declared.</p>}
      {items && items.length > 0 && (
        <table>
          <caption className="sr-only">Declared services and their latest health</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Device</th>
              <th scope="col">Category</th>
              <th scope="col">Health</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <ServiceRow key={s.name} service={s} onChecked={replace} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ServiceRow({ service, onChecked }: { service: Service; onChecked: (s: Service) => void }) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const h = service.health;
  const checkNow = async () => {
    setBusy(true);
    setMessage(null);
    try {
      onChecked(await api<Service>('POST', `/api/v1/services/${encodeURIComponent(service.name)}/check`));
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-service={service.name} data-healthy={String(h.healthy)}>
      <th scope="row" className="mono">
        {service.name}
      </th>
      <td>
        <span className="badge">{service.kind}</span> <span className="mono">{service.target}</span>
      </td>
      <td className="mono">{service.device}</td>
      <td>{service.category ?? '—'}</td>
      <td data-testid="service-health">
        <strong>{h.healthy ? 'ok' : 'failing'}</strong>
        {h.healthy ? '' : `: ${h.failure ? `${h.failure}, ` : ''}${h.detail}`}
        <span className="muted">
          {' '}
          · {Math.round(h.latencyMs)} ms · checked {new Date(h.checkedAt).toLocaleTimeString()}
        </span>
        {message && <span role="status"> {message}</span>}
      </td>
      <td>
        {hasRole(session, 'operator') && (
          <button type="button" disabled={busy} onClick={() => void checkNow()}>
            Check now<span className="sr-only"> {service.name}</span>
          </button>
        )}
      </td>
    </tr>
  );
}
