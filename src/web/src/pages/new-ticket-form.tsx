// Submit a ticket from the inbox (operators and admins): plain words, optionally the service or device it is about.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { navigate } from '../router.tsx';
import type { Ticket } from '../types.ts';

export function NewTicketForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = String(form.get('description') ?? '').trim();
    const serviceName = String(form.get('service') ?? '').trim();
    const deviceId = String(form.get('device') ?? '').trim();
    const context = { ...(serviceName ? { serviceName } : {}), ...(deviceId ? { deviceId } : {}) };
    setBusy(true);
    setError(null);
    try {
      const { ticket } = await api<{ ticket: Ticket }>('POST', '/api/v1/tickets', {
        description,
        ...(Object.keys(context).length ? { context } : {}),
        dryRun: form.get('dryRun') === 'on',
      });
      navigate(`/tickets/${ticket.id}`);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <details className="card new-ticket">
      <summary>New ticket</summary>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="nt-description">What is wrong?</label>
        <textarea id="nt-description" name="description" required rows={3} maxLength={20000} />
        <div className="row">
          <label>
            Service <input name="service" autoComplete="off" />
          </label>
          <label>
            Device <input name="device" autoComplete="off" />
          </label>
          <label className="check">
            <input type="checkbox" name="dryRun" /> Dry run (plan only)
          </label>
        </div>
        <button type="submit" disabled={busy}>
          Submit ticket
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
