import { useState } from 'react';
import { login } from '../api/http.js';
import { session } from '../api/client.js';

/** Browser mode only: the same accounts as `vminer user` (no default password exists). */
export function LoginPage(props: { onLoggedIn: () => void; reason?: string | null }): React.JSX.Element {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="login">
      <form
        className="modal"
        aria-label="Log in"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          login('', username, password)
            .then((r) => {
              session.set(r.token, r.expiresAt);
              props.onLoggedIn();
            })
            .catch((err: unknown) => setError((err as Error).message))
            .finally(() => setBusy(false));
        }}
      >
        <h1>vMiner</h1>
        {props.reason && <p className="warning">{props.reason}</p>}
        <label>
          User
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            autoFocus
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted small">
          Accounts are managed with <code>vminer user add|passwd</code> on the server.
        </p>
      </form>
    </main>
  );
}
