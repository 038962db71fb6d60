import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { toErrorInfo } from '../../shared/errors.js';
import type { DoctorCheck, DoctorReport, DoctorRequest } from '../../shared/doctor.js';
import type { VcenterRepo } from './db/vcenter-repo.js';
import { pendingMigrations } from './db/database.js';
import { checkDatabase, isCorruptionError, REPAIR_HINT, summarizeProblems } from './db/health.js';
import { describeFinding, ensurePrivateDir, type ModeFinding } from './private-files.js';
import { DEFAULT_KEYCHAIN_SERVICE, openKeychainItem } from './secrets/keychain.js';
import type { ServiceAccountRepo } from './sources/service-accounts.js';
import { resolveCredentials } from './sources/service-accounts.js';
import type { SourceRepo } from './sources/source-repo.js';
import { sourceVaultId } from './sources/source-repo.js';
import { testSource } from './sources/refresh.js';
import { SoapClient } from './vsphere/soap-client.js';
import { fetchPeerCertificate, resolveHost } from './vsphere/transport.js';

/** What the doctor reads; the CLI builds it from a running engine or, when another process holds the folder, read-only. */
export interface DoctorDeps {
  dataDir: string;
  sqlite: Database.Database | null;
  databaseError: string | null;
  repo: VcenterRepo | null;
  accounts: ServiceAccountRepo | null;
  sources: SourceRepo | null;
  vault: { backend: string; get(id: string): string | undefined } | null;
  vaultError: string | null;
  /** e.g. "in use by vminer serve (pid 123)": the checks then ran beside it, read-only. */
  lockNote: string | null;
  /** Entries of the data folder other users could read: tightened (`now` set) or left as they are. */
  modes: ModeFinding[];
}

const check = (
  subject: string,
  step: string,
  status: DoctorCheck['status'],
  detail: string,
): DoctorCheck => ({
  subject,
  step,
  status,
  detail,
});

function dataFolder(dir: string): DoctorCheck {
  const probe = path.join(dir, `.doctor-${process.pid}.tmp`);
  try {
    ensurePrivateDir(dir);
    fs.writeFileSync(probe, 'ok', { mode: 0o600 });
    fs.unlinkSync(probe);
    return check('data folder', 'writable', 'ok', dir);
  } catch (err) {
    return check('data folder', 'writable', 'fail', `${dir}: ${(err as Error).message}`);
  }
}

function privacy(d: DoctorDeps): DoctorCheck[] {
  if (process.platform === 'win32')
    return [
      check(
        'data folder',
        'private',
        'skip',
        'file modes do not apply on Windows (the folder is in your profile)',
      ),
    ];
  if (d.modes.length === 0)
    return [check('data folder', 'private', 'ok', 'only you can read it (folders 0700, files 0600)')];
  return d.modes.map((f) => check('data folder', 'private', 'warn', describeFinding(f)));
}

function migrations(d: DoctorDeps): DoctorCheck {
  if (!d.sqlite) return check('database', 'migrations', 'fail', d.databaseError ?? 'not opened');
  try {
    const pending = pendingMigrations(d.sqlite);
    const applied = (
      d.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    ).n;
    if (pending === 0) return check('database', 'migrations', 'ok', `${applied} of ${applied} applied`);
    return check(
      'database',
      'migrations',
      'warn',
      `${applied} of ${applied + pending} applied; the rest are applied when the engine next starts`,
    );
  } catch (err) {
    return check(
      'database',
      'migrations',
      'fail',
      isCorruptionError(err) ? `the cache is damaged: ${(err as Error).message}` : (err as Error).message,
    );
  }
}

/** SQLite's full check of every page and index: a damaged cache is found before it fails a request. */
function integrity(d: DoctorDeps): DoctorCheck | null {
  if (!d.sqlite) return null; // the migrations check already said why it did not open
  const problems = checkDatabase(d.sqlite, 'integrity');
  if (problems.length === 0) return check('database', 'integrity', 'ok', 'PRAGMA integrity_check: ok');
  return check(
    'database',
    'integrity',
    'fail',
    `the cache is damaged: ${summarizeProblems(problems)}. ${REPAIR_HINT}`,
  );
}

async function keychain(d: DoctorDeps): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  try {
    const item = await openKeychainItem(DEFAULT_KEYCHAIN_SERVICE, 'vminer-doctor-probe');
    await item.get();
    out.push(check('keychain', 'reachable', 'ok', 'the OS keychain answers'));
  } catch (err) {
    out.push(
      check(
        'keychain',
        'reachable',
        'warn',
        `${toErrorInfo(err).message} — passwords are then protected by VMINER_SECRET_KEY or a key file`,
      ),
    );
  }
  if (d.vault) out.push(check('credential vault', 'opens', 'ok', `key from the ${d.vault.backend} backend`));
  else out.push(check('credential vault', 'opens', 'fail', d.vaultError ?? 'not opened'));
  return out;
}

async function restPort(host: string, port: number): Promise<DoctorCheck> {
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        check(
          'REST listener',
          'port free',
          'fail',
          `${host}:${port}: ${err.code === 'EADDRINUSE' ? 'in use by another program (vminer serve --port N picks another)' : err.message}`,
        ),
      ),
    );
    srv.listen(port, host, () =>
      srv.close(() => resolve(check('REST listener', 'port free', 'ok', `${host}:${port}`))),
    );
  });
}

function tcp(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => s.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.end();
      resolve();
    });
    s.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
  });
}

async function vcenterChecks(d: DoctorDeps, timeoutMs: number): Promise<DoctorCheck[]> {
  if (!d.repo || !d.accounts) return [];
  const out: DoctorCheck[] = [];
  for (const v of d.repo.list()) {
    const subject = `vCenter ${v.name}`;
    if (!v.enabled || v.retiredAt) {
      out.push(check(subject, 'all', 'skip', v.retiredAt ? 'retired' : 'disabled'));
      continue;
    }
    const url = new URL(v.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || 443;
    let address: string;
    try {
      address = await resolveHost(host, timeoutMs);
      out.push(check(subject, 'DNS', 'ok', net.isIP(host) ? `${host} (an address)` : `${host} → ${address}`));
    } catch (err) {
      out.push(check(subject, 'DNS', 'fail', toErrorInfo(err).message));
      continue;
    }
    try {
      await tcp(address, port, timeoutMs);
      out.push(check(subject, 'TCP', 'ok', `${address}:${port} accepts connections`));
    } catch (err) {
      out.push(check(subject, 'TCP', 'fail', `${address}:${port}: ${(err as Error).message}`));
      continue;
    }
    try {
      const c = await fetchPeerCertificate(v.url, timeoutMs, d.repo.caPem(v.id) ?? undefined);
      if (v.thumbprint && v.thumbprint !== c.thumbprintSha256) {
        out.push(
          check(
            subject,
            'TLS',
            'fail',
            `certificate changed: pinned ${v.thumbprint}, presented ${c.thumbprintSha256} (vminer vcenter trust ${v.name})`,
          ),
        );
        continue;
      }
      if (!v.thumbprint && !c.trustedByCa) {
        out.push(
          check(
            subject,
            'TLS',
            'fail',
            `not trusted (${c.caError ?? 'unknown CA'}); presented ${c.thumbprintSha256} (vminer vcenter trust ${v.name})`,
          ),
        );
        continue;
      }
      out.push(
        check(
          subject,
          'TLS',
          'ok',
          v.thumbprint ? 'pinned certificate matches' : `trusted by a CA (${c.issuer})`,
        ),
      );
    } catch (err) {
      out.push(check(subject, 'TLS', 'fail', toErrorInfo(err).message));
      continue;
    }
    let cred: { user: string; password: string };
    try {
      cred = resolveCredentials(v, d.accounts, (id) => d.vault?.get(id));
    } catch (err) {
      out.push(check(subject, 'login', 'fail', toErrorInfo(err).message));
      continue;
    }
    const client = new SoapClient({
      url: v.url,
      trust: v.thumbprint
        ? { kind: 'thumbprint', sha256: v.thumbprint }
        : { kind: 'ca', extraCaPem: d.repo.caPem(v.id) ?? undefined },
      connectTimeoutMs: timeoutMs,
      callTimeoutMs: timeoutMs * 2,
    });
    try {
      await client.login(cred.user, cred.password);
      out.push(check(subject, 'login', 'ok', `logged in as ${cred.user}`));
      await client.logout();
    } catch (err) {
      client.destroy();
      out.push(check(subject, 'login', 'fail', toErrorInfo(err).message));
    }
  }
  return out;
}

async function sourceChecks(d: DoctorDeps): Promise<DoctorCheck[]> {
  if (!d.sources || !d.repo || !d.accounts) return [];
  const out: DoctorCheck[] = [];
  for (const s of d.sources.list()) {
    const subject = `source ${s.name}`;
    for (const w of s.warnings) out.push(check(subject, 'settings', 'warn', w));
    if (!s.enabled) {
      out.push(check(subject, 'query', 'skip', 'disabled'));
      continue;
    }
    try {
      const t = await testSource(
        {
          repo: d.repo,
          sources: d.sources,
          accounts: d.accounts,
          password: (id) => d.vault?.get(sourceVaultId(id)),
        },
        s,
        1000,
      );
      const bad = t.mapped.filter((m) => m.problem).length;
      out.push(
        check(
          subject,
          'query',
          bad || t.overCap ? 'warn' : 'ok',
          `${t.overCap ? `more than ${t.totalRows}` : t.totalRows} rows (columns ${t.columns.join(', ')})${bad ? `; ${bad} unusable, see vminer source test ${s.name}` : ''}${t.overCap ? `; over the row cap: a refresh fails (vminer source edit ${s.name} --max-rows N)` : ''}`,
        ),
      );
    } catch (err) {
      out.push(check(subject, 'query', 'fail', toErrorInfo(err).message));
    }
  }
  return out;
}

/** A first-run check-up: each check says what it found and what to do about it. */
export async function runDoctor(d: DoctorDeps, req: DoctorRequest): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [dataFolder(d.dataDir)];
  checks.push(...privacy(d));
  if (d.lockNote) checks.push(check('data folder', 'lock', 'ok', d.lockNote));
  checks.push(migrations(d));
  const sound = integrity(d);
  if (sound) checks.push(sound);
  checks.push(...(await keychain(d)));
  if (!req.localOnly) {
    checks.push(...(await vcenterChecks(d, req.timeoutMs)));
    checks.push(...(await sourceChecks(d)));
  }
  checks.push(await restPort(req.host, req.port));
  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}
