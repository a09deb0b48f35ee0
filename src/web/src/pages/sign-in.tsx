// Sign-in: the API key is sent once and exchanged for an HttpOnly session cookie; the page never keeps it.
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import type { SessionInfo } from '../types.ts';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<SessionInfo>('POST', '/api/v1/session', { apiKey: key });
      setKey('');
      onSignedIn(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="signin">
      <h1>TwisterLab console</h1>
      <form onSubmit={(e) => void submit(e)} className="card">
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="current-password"
          required
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        <button type="submit" disabled={busy || key.length === 0}>
          Sign in
        </button>
        {error && (
          <p id="signin-error" role="alert" className="error">
            {error}
          </p>
        )}
        <p className="hint">Your key is exchanged for a session cookie that ends when you sign out or after 8 hours.</p>
      </form>
    </main>
  );
}
