import { useEffect, useState } from 'react';
import type { UserInfo } from '../../../shared/contract.js';
import { api } from '../api/client.js';
import { useNotice } from '../lib/use-notice.js';

/** Accounts of the REST listener and the browser UI: list, add, set a password, remove. */
export function UsersPanel(): React.JSX.Element {
  const [users, setUsers] = useState<UserInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [msg, notice] = useNotice();
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [role, setRole] = useState<'admin' | 'viewer'>('viewer');

  const run = (f: () => Promise<UserInfo[] | unknown>, ok: string): Promise<void> =>
    notice(async () => {
      const r = await f();
      if (Array.isArray(r)) setUsers(r as UserInfo[]);
    }, ok);

  useEffect(() => {
    api
      .call('users.list', {})
      .then(setUsers)
      .catch((e: unknown) => setError((e as Error).message));
  }, []);

  return (
    <fieldset>
      <legend>Accounts (REST API and browser UI)</legend>
      {users === null && !error && <p className="muted">Loading…</p>}
      {users && (
        <table className="list" data-testid="users">
          <tbody>
            {users.map((u) => (
              <tr key={u.username}>
                <td>{u.username}</td>
                <td className="muted">{u.role}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => {
                      const p = prompt(`New password for ${u.username}`);
                      if (p)
                        void run(
                          () => api.call('users.setPassword', { username: u.username, password: p }),
                          `Password of ${u.username} changed.`,
                        );
                    }}
                  >
                    Set password
                  </button>
                  <button
                    type="button"
                    className="ghost danger"
                    onClick={() => {
                      if (confirm(`Remove the account ${u.username}? Its sessions end at once.`))
                        void run(
                          () => api.call('users.remove', { username: u.username }),
                          `${u.username} removed.`,
                        );
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {users && (
        <div className="row">
          <input
            aria-label="New user name"
            placeholder="user name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            aria-label="New user password"
            type="password"
            placeholder="password"
            autoComplete="new-password"
            value={pw}
            onChange={(e) => setPw(e.target.value)}
          />
          <select
            aria-label="New user role"
            value={role}
            onChange={(e) => setRole(e.target.value as 'admin' | 'viewer')}
          >
            <option value="viewer">viewer (read only)</option>
            <option value="admin">admin</option>
          </select>
          <button
            type="button"
            disabled={!name || !pw}
            onClick={() =>
              void run(async () => {
                const r = await api.call('users.add', { username: name, password: pw, role });
                setName('');
                setPw('');
                return r;
              }, `Added ${name}.`)
            }
          >
            Add user
          </button>
        </div>
      )}
      {msg && (
        <p className={msg.error ? 'error small' : 'ok small'} role="status">
          {msg.text}
        </p>
      )}
      {error && <p className="error small">{error}</p>}
    </fieldset>
  );
}
