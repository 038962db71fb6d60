import { useEffect, useState } from 'react';
import type { ServiceAccountInfo } from '../../../shared/vcenter.js';
import { api } from '../api/client.js';
import { useNotice } from '../lib/use-notice.js';
import { GatedButton } from './GatedButton.js';

/** Shared vCenter service accounts: the default one many vCenters use, and named others. */
export function AccountsPanel(): React.JSX.Element {
  const [accounts, setAccounts] = useState<ServiceAccountInfo[] | null>(null);
  const [msg, notice] = useNotice();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [user, setUser] = useState('');
  const [pw, setPw] = useState('');

  const load = (): void => {
    api
      .call('accounts.list', {})
      .then(setAccounts)
      .catch((e: unknown) => setLoadError((e as Error).message));
  };
  useEffect(load, []);
  const act = async (f: () => Promise<unknown>, ok: string): Promise<void> => {
    await notice(f, ok);
    load();
  };

  return (
    <fieldset>
      <legend>vCenter service accounts</legend>
      <p className="muted small">
        One read-only account many vCenters share (the usual enterprise setup); a vCenter can still have its
        own. Passwords go to the credential vault.
      </p>
      {accounts && accounts.length > 0 && (
        <table className="list" data-testid="accounts">
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id}>
                <td>
                  <strong>{a.name}</strong> {a.isDefault && <span className="badge">default</span>}
                </td>
                <td className="mono small">{a.username}</td>
                <td className="muted small">{a.usedBy} vCenters</td>
                <td className="actions">
                  {!a.isDefault && (
                    <GatedButton
                      call="accounts.update"
                      what="Changing the default account"
                      type="button"
                      className="ghost"
                      onClick={() =>
                        void act(
                          () => api.call('accounts.update', { id: a.id, isDefault: true }),
                          `${a.name} is the default.`,
                        )
                      }
                    >
                      Make default
                    </GatedButton>
                  )}
                  <GatedButton
                    call="accounts.update"
                    what="Setting a password"
                    type="button"
                    className="ghost"
                    onClick={() => {
                      const p = prompt(`New password for ${a.username}`);
                      if (p)
                        void act(
                          () => api.call('accounts.update', { id: a.id, password: p }),
                          'Password changed.',
                        );
                    }}
                  >
                    Set password
                  </GatedButton>
                  <GatedButton
                    call="accounts.remove"
                    what="Removing a service account"
                    type="button"
                    className="ghost danger"
                    onClick={() =>
                      void act(() => api.call('accounts.remove', { id: a.id }), `${a.name} removed.`)
                    }
                  >
                    Remove
                  </GatedButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <input
          aria-label="Account name"
          placeholder="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <input
          aria-label="Account user"
          placeholder="svc-vminer@vsphere.local"
          value={user}
          onChange={(e) => setUser(e.target.value)}
        />
        <input
          aria-label="Account password"
          type="password"
          autoComplete="new-password"
          placeholder="password"
          value={pw}
          onChange={(e) => setPw(e.target.value)}
        />
        <GatedButton
          call="accounts.add"
          what="Adding a service account"
          type="button"
          disabled={!name || !user || !pw}
          onClick={() =>
            void act(async () => {
              await api.call('accounts.add', {
                name,
                username: user,
                password: pw,
                isDefault: accounts?.length === 0,
              });
              setName('');
              setUser('');
              setPw('');
            }, `Added ${name}.`)
          }
        >
          Add service account
        </GatedButton>
      </div>
      {loadError && <p className="error small">{loadError}</p>}
      {msg && <p className={msg.error ? 'error small' : 'ok small'}>{msg.text}</p>}
    </fieldset>
  );
}
