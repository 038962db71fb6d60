import { X509Certificate } from 'node:crypto';
import { VminerError } from '../../../shared/errors.js';
import type { SourceConfig, SourceConnection, SourceKind } from '../../../shared/sources.js';
import { normalizeThumbprint } from '../vsphere/thumbprint.js';

/**
 * A source's connection as it may be saved: the thumbprint in canonical form, a CA that is a
 * certificate, and no combination that says two things at once.
 */
export function checkedConnection(name: string, c: SourceConnection): SourceConnection {
  const out = { ...c };
  if (out.thumbprint !== null) out.thumbprint = normalizeThumbprint(out.thumbprint);
  if (out.caPem !== null) {
    try {
      new X509Certificate(out.caPem);
    } catch (err) {
      throw new VminerError(
        'INVALID_INPUT',
        `${name}: the CA file is not a PEM certificate (${(err as Error).message})`,
      );
    }
  }
  if (out.caPem !== null && out.thumbprint !== null)
    throw new VminerError('INVALID_INPUT', `${name}: give a CA file or a thumbprint, not both`);
  if ((out.caPem !== null || out.thumbprint !== null) && out.trustServerCertificate)
    throw new VminerError(
      'INVALID_INPUT',
      `${name}: a CA file or a thumbprint checks the server's certificate; turn "trust server certificate" off`,
    );
  if ((out.caPem !== null || out.thumbprint !== null) && !out.encrypt)
    throw new VminerError(
      'INVALID_INPUT',
      `${name}: a CA file or a thumbprint needs an encrypted connection; turn encryption on`,
    );
  return out;
}

/** What is weak about a source's settings, in words a person can act on. */
export function sourceWarnings(kind: SourceKind, cfg: SourceConfig): string[] {
  const c = cfg.connection;
  const out: string[] = [];
  if (!c.encrypt && kind === 'postgres')
    out.push(
      'the connection to PostgreSQL is not encrypted: the vCenter list (and, with password authentication, the password) cross the network readable; turn encryption on',
    );
  if (!c.encrypt && kind === 'mssql')
    out.push(
      'the connection to SQL Server is not encrypted: the vCenter list crosses the network readable; turn encryption on',
    );
  if (c.encrypt && c.trustServerCertificate)
    out.push(
      "the database server's certificate is not checked: anyone in between could pose as it; give its CA file or pin its thumbprint instead",
    );
  return out;
}
