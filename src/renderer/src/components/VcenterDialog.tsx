import { useEffect, useState } from 'react';
import type { ProbeInfo } from '../../../shared/contract.js';
import type { ServiceAccountInfo, VcenterWithState } from '../../../shared/vcenter.js';
import { api } from '../api/client.js';

/**
 * Add or edit a vCenter. "Test connection" shows what the server presents (product, version,
 * certificate); a certificate no CA vouches for must be trusted explicitly by its thumbprint.
 */
export function VcenterDialog(props: {
  existing?: VcenterWithState;
  onClose: () => void;
  onSaved: (v: VcenterWithState) => void;
}): React.JSX.Element {
  const ex = props.existing;
  const [name, setName] = useState(ex?.name ?? '');
  const [url, setUrl] = useState(ex?.url ?? '');
  const [username, setUsername] = useState(ex?.username ?? '');
  const [password, setPassword] = useState('');
  const [probe, setProbe] = useState<ProbeInfo | null>(null);
  const [trust, setTrust] = useState(false);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [accounts, setAccounts] = useState<ServiceAccountInfo[]>([]);
  /** 'own', 'default' or a service account id. */
  const [login, setLogin] = useState<string>(
    ex?.credential?.kind === 'service'
      ? ex.credential.accountId === null
        ? 'default'
        : String(ex.credential.accountId)
      : 'own',
  );
  useEffect(() => {
    api
      .call('accounts.list', {})
      .then((a) => {
        setAccounts(a);
        if (!ex && a.length > 0) setLogin('default');
      })
      .catch(() => undefined);
  }, [ex]);
  const credential =
    login === 'own'
      ? ({ kind: 'own' } as const)
      : ({ kind: 'service', accountId: login === 'default' ? null : Number(login) } as const);

  const test = async (): Promise<void> => {
    setBusy('test');
    setError(null);
    setProbe(null);
    setTrust(false);
    try {
      setProbe(await api.call('vcenters.probe', { url }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const needsTrust = probe !== null && !probe.certificate.trustedByCa;
  const pinned = ex?.thumbprint ?? null;
  const certChanged = needsTrust && pinned !== null && pinned !== probe.certificate.thumbprintSha256;

  const save = async (): Promise<void> => {
    setBusy('save');
    setError(null);
    try {
      const thumbprint = needsTrust && trust ? probe.certificate.thumbprintSha256 : undefined;
      const v = ex
        ? await api.call('vcenters.update', {
            id: ex.id,
            name,
            url,
            credential,
            ...(login === 'own' ? { username, ...(password ? { password } : {}) } : {}),
            ...(thumbprint ? { thumbprint } : {}),
          })
        : await api.call('vcenters.add', {
            name,
            url,
            username,
            password,
            ...(thumbprint ? { thumbprint } : {}),
          });
      props.onSaved(v);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const valid = name.trim() && url.trim() && (login !== 'own' || (username.trim() && (ex || password)));
  const blocked = needsTrust && !trust && (!ex || certChanged);
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-label={ex ? `Edit ${ex.name}` : 'Add a vCenter'}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{ex ? `Edit ${ex.name}` : 'Add a vCenter'}</h2>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="vc-ams-01" required />
        </label>
        <label>
          Address
          <input
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              setProbe(null);
            }}
            placeholder="vcenter.example.com or https://host:443/sdk"
            required
          />
        </label>
        {accounts.length > 0 && (
          <label>
            Log in with
            <select value={login} onChange={(e) => setLogin(e.target.value)} aria-label="Log in with">
              <option value="default">the default service account</option>
              {accounts.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  service account {a.name} ({a.username})
                </option>
              ))}
              <option value="own">its own account</option>
            </select>
          </label>
        )}
        {login === 'own' && (
          <>
            <label>
              User (a read-only role is enough)
              <input
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                placeholder="svc-vminer@vsphere.local"
              />
            </label>
            <label>
              Password {ex && <span className="muted">(leave empty to keep the stored one)</span>}
              <input
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="new-password"
              />
            </label>
          </>
        )}
        <p className="muted small">
          Passwords go to the OS keychain-backed vault, never into the database or logs.
        </p>
        <div className="row">
          <button type="button" onClick={() => void test()} disabled={!url.trim() || busy !== null}>
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
        </div>
        {probe && (
          <div className="probe" data-testid="probe">
            <p>
              <strong>{probe.about?.fullName ?? 'vSphere endpoint'}</strong>
              {probe.about && <span className="muted"> (API {probe.about.apiVersion})</span>}
            </p>
            <p className="small">
              Certificate: {probe.certificate.subject} — issued by {probe.certificate.issuer}, valid until{' '}
              {new Date(probe.certificate.validTo).toLocaleDateString()}
            </p>
            <p className="small mono" data-testid="thumbprint">
              SHA-256 {probe.certificate.thumbprintSha256}
            </p>
            {probe.certificate.trustedByCa ? (
              <p className="ok">Trusted by a certificate authority.</p>
            ) : (
              <>
                {certChanged && (
                  <p className="warning">
                    The certificate changed since it was trusted (was {pinned}). Trust the new one only if you
                    know the vCenter's certificate was renewed.
                  </p>
                )}
                <label className="check">
                  <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} />
                  Trust this self-signed certificate (compare the thumbprint with the one your vCenter shows)
                </label>
              </>
            )}
          </div>
        )}
        {!ex && !probe && (
          <p className="muted small">
            Test the connection to review the certificate; a vCenter saved without it syncs once its
            certificate is trusted.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-foot">
          <button type="button" className="ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={!valid || busy !== null || blocked}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </div>
  );
}
