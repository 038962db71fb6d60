/**
 * Certificates for TLS tests, made with the `openssl` command line (installed by scripts/setup.sh):
 * a private CA and a server certificate it signs, or a self-signed one. All name 127.0.0.1 and
 * localhost, so a client that checks names accepts them on loopback.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  /** SHA-256 thumbprint as Node prints it (uppercase, colon separated). */
  sha256: string;
}

const SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function read(dir: string, key: string, cert: string): TestCert {
  const pem = fs.readFileSync(path.join(dir, cert), 'utf8');
  return {
    key: fs.readFileSync(path.join(dir, key), 'utf8'),
    cert: pem,
    sha256: new X509Certificate(pem).fingerprint256,
  };
}

const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed server certificate for 127.0.0.1 / localhost. */
export function selfSignedCert(cn = 'db.test'): TestCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cert-'));
  try {
    openssl(dir, [
      'req',
      '-x509',
      ...newKey,
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      SAN,
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
    ]);
    return read(dir, 'k.pem', 'c.pem');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A private CA and a server certificate for 127.0.0.1 / localhost that it signed. */
export function caSignedCert(cn = 'db.test'): { ca: TestCert; server: TestCert } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-ca-'));
  try {
    openssl(dir, [
      'req',
      '-x509',
      ...newKey,
      '-days',
      '30',
      '-subj',
      '/CN=vMiner Test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]);
    openssl(dir, ['req', ...newKey, '-subj', `/CN=${cn}`, '-keyout', 's.key', '-out', 's.csr']);
    fs.writeFileSync(path.join(dir, 'ext.cnf'), `${SAN}\n`);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      's.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      'ext.cnf',
      '-out',
      's.pem',
    ]);
    return { ca: read(dir, 'ca.key', 'ca.pem'), server: read(dir, 's.key', 's.pem') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
