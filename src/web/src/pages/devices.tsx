// Devices: the inventory (secrets redacted by the API), the host key each SSH device presents, and trusting it
// (admin) once its fingerprint was checked out of band; then the declared services and their health.
import { useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { json } from '../format.ts';
import { hasRole, useSession } from '../session.tsx';
import { ServicesSection } from './services.tsx';

interface Device {
  id: string;
  kind: 'local' | 'ssh';
  source: string;
  definition: Record<string, unknown>;
}
interface HostKey {
  fingerprint: string;
  type: string;
  publicKey: string;
}

export function DevicesPage() {
  const [items, setItems] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Device[] }>('GET', '/api/v1/devices').then(
      (r) => setItems(r.items),
      (err: unknown) => setError(errorText(err)),
    );
  }, []);
  return (
    <>
      <h1>Devices</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items?.map((d) => (
        <DeviceCard key={d.id} device={d} />
      ))}
      <ServicesSection />
    </>
  );
}

function DeviceCard({ device }: { device: Device }) {
  const session = useSession();
  const [key, setKey] = useState<HostKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const def = device.definition;
  const trusted =
    typeof def.hostKey === 'string' ? def.hostKey : typeof def.fingerprint === 'string' ? def.fingerprint : null;
  const scan = async () => {
    setMessage(null);
    try {
      setKey(await api<HostKey>('GET', `/api/v1/devices/${encodeURIComponent(device.id)}/host-key`));
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const trust = async () => {
    if (!key) return;
    try {
      await api('POST', `/api/v1/devices/${encodeURIComponent(device.id)}/trust`, { fingerprint: key.fingerprint });
      setMessage(`Trusted ${key.fingerprint}`);
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  const label = `dev-${device.id}`;
  return (
    <section className="card" aria-labelledby={label}>
      <h2 id={label}>
        <span className="mono">{device.id}</span> <span className="badge">{device.kind}</span>
      </h2>
      <p className="muted">
        from {device.source}
        {typeof def.host === 'string' ? ` · ${def.host}${def.port ? `:${String(def.port)}` : ''}` : ''}
        {trusted ? ` · trusted key ${trusted}` : ''}
      </p>
      <details>
        <summary>Definition</summary>
        <pre>{json(def)}</pre>
      </details>
      {device.kind === 'ssh' && (
        <div className="row">
          <button type="button" onClick={() => void scan()}>
            Read the host key it presents
          </button>
          {key && (
            <p>
              Presents{' '}
              <span className="mono">
                {key.type} {key.fingerprint}
              </span>
              : compare it with the fingerprint the machine's owner gives you.
            </p>
          )}
          {key && hasRole(session, 'admin') && (
            <button type="button" onClick={() => void trust()}>
              Trust this key
            </button>
          )}
        </div>
      )}
      {message && <p role="status">{message}</p>}
    </section>
  );
}
