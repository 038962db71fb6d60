import { useEffect, useId, useState } from 'react';
import type { EngineInfo, ProbeInfo } from '../../../shared/contract.js';
import type { ServiceAccountInfo, VcenterWithState } from '../../../shared/vcenter.js';
import { api } from '../api/client.js';
import { vcenterAddressProblem } from '../lib/vcenter-address.js';
import { Modal } from './Modal.js';

/** Where the passwords go, for the help text: the protection actually in effect. */
export function vaultText(key: EngineInfo['vaultKey'] | null): string {
  const base = 'Passwords go to an encrypted vault file, never into the database or logs';
  switch (key) {
    case 'keychain':
      return `${base}; its key is kept in the OS keychain.`;
    case 'env':
      return `${base}; its key comes from the VMINER_SECRET_KEY environment variable of the server.`;
    case 'file':
      return `${base}. Its key is in a file beside the vault (no OS keychain here), so anyone who can read the data folder can read the passwords: keep that folder private.`;
    default:
      return `${base}.`;
  }
}

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
  /** A new vCenter that did not answer: saved only on a second, deliberate click. */
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const [vaultKey, setVaultKey] = useState<EngineInfo['vaultKey'] | null>(null);
  const ids = useId();
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
      .call('engine.info', {})
      .then((i) => setVaultKey(i.vaultKey))
      .catch(() => undefined);
  }, []);
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
    setUnreachable(null);
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

  /** A field changed: what was said about the old values no longer applies. */
  const edited = (): void => {
    setError(null);
    setUnreachable(null);
  };

  const needsTrust = probe !== null && !probe.certificate.trustedByCa;
  const pinned = ex?.thumbprint ?? null;
  const certChanged = needsTrust && pinned !== null && pinned !== probe.certificate.thumbprintSha256;

  const save = async (): Promise<void> => {
    setBusy('save');
    setError(null);
    try {
      // Like `vminer vcenter add`, say so when a new vCenter cannot be reached; saving anyway is a
      // second click on the same button.
      if (!ex && !probe && unreachable === null) {
        try {
          setProbe(await api.call('vcenters.probe', { url }));
          setBusy(null);
          return; // the certificate is shown now: review it, then save
        } catch (e) {
          setUnreachable((e as Error).message);
          setBusy(null);
          return;
        }
      }
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

  const addressProblem = url === '' && !ex ? null : vcenterAddressProblem(url);
  const valid =
    name.trim() &&
    url.trim() &&
    addressProblem === null &&
    (login !== 'own' || (username.trim() && (ex || password)));
  const blocked = needsTrust && !trust && (!ex || certChanged);
  return (
    <Modal title={ex ? `Edit ${ex.name}` : 'Add a vCenter'} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          Name
          <input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              edited();
            }}
            placeholder="vc-ams-01"
            required
          />
        </label>
        <label>
          Address
          <input
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              setProbe(null);
              edited();
            }}
            placeholder="vcenter.example.com or https://host:443/sdk"
            required
            aria-invalid={addressProblem ? true : undefined}
            aria-describedby={addressProblem ? `${ids}-address` : undefined}
            className={addressProblem ? 'invalid' : undefined}
          />
        </label>
        {addressProblem && (
          <span className="error small" id={`${ids}-address`} data-testid="address-problem">
            {addressProblem}
          </span>
        )}
        {accounts.length > 0 && (
          <label>
            Log in with
            <select
              value={login}
              onChange={(e) => {
                setLogin(e.target.value);
                edited();
              }}
              aria-label="Log in with"
            >
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
                onChange={(e) => {
                  setUsername(e.target.value);
                  edited();
                }}
                placeholder="svc-vminer@vsphere.local"
              />
            </label>
            <label>
              Password {ex && <span className="muted">(leave empty to keep the stored one)</span>}
              <input
                type="password"
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                  edited();
                }}
                autoComplete="new-password"
              />
            </label>
          </>
        )}
        <p className="muted small" data-testid="vault-text">
          {vaultText(vaultKey)}
        </p>
        <div className="row">
          <button
            type="button"
            onClick={() => void test()}
            disabled={addressProblem !== null || busy !== null}
          >
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
        {unreachable && (
          <p className="warning" role="alert" data-testid="unreachable">
            {name.trim() || 'This vCenter'} could not be reached: {unreachable}. It can be saved anyway and
            will sync once it answers (and its certificate is trusted).
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
          <button
            type="submit"
            disabled={!valid || busy !== null || blocked}
            title={addressProblem ?? undefined}
          >
            {busy === 'save'
              ? unreachable === null && !ex && !probe
                ? 'Checking…'
                : 'Saving…'
              : unreachable
                ? 'Save anyway'
                : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
