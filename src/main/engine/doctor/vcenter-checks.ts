/**
 * The doctor's checks of what the configuration points at, on either back end: each vCenter step
 * by step (DNS, TCP, TLS against its pin or a CA, login with the credentials a sync would use) and
 * each SQL source's query. They read the registry through its store interfaces, so the SQLite
 * doctor (doctor.ts) and the team doctor (team/team-doctor.ts) run the same checks.
 */
import net from 'node:net';
import { toErrorInfo } from '../../../shared/errors.js';
import type { DoctorCheck } from '../../../shared/doctor.js';
import type { VcenterStore } from '../db/vcenter-rules.js';
import type { AccountStore } from '../sources/account-rules.js';
import { testSource } from '../sources/refresh.js';
import { resolveCredentials } from '../sources/service-accounts.js';
import { sourceVaultId } from '../sources/source-repo.js';
import type { SourceStore } from '../sources/source-rules.js';
import { SoapClient } from '../vsphere/soap-client.js';
import { fetchPeerCertificate, resolveHost } from '../vsphere/transport.js';
import { check } from './check.js';

/** The registry and the vault, as the checks read them. */
export interface RegistryDeps {
  vcenters: VcenterStore;
  accounts: AccountStore;
  sources: SourceStore;
  /** A secret from the vault by its id (`vcenter:1`, `account:2`, `source:3`). */
  secret: (id: string) => string | undefined;
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

export async function vcenterChecks(d: RegistryDeps, timeoutMs: number): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  for (const v of d.vcenters.list()) {
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
    const caPem = d.vcenters.caPem(v.id) ?? undefined;
    try {
      const c = await fetchPeerCertificate(v.url, timeoutMs, caPem);
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
      cred = resolveCredentials(v, d.accounts, d.secret);
    } catch (err) {
      out.push(check(subject, 'login', 'fail', toErrorInfo(err).message));
      continue;
    }
    const client = new SoapClient({
      url: v.url,
      trust: v.thumbprint ? { kind: 'thumbprint', sha256: v.thumbprint } : { kind: 'ca', extraCaPem: caPem },
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

export async function sourceChecks(d: RegistryDeps): Promise<DoctorCheck[]> {
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
          repo: d.vcenters,
          sources: d.sources,
          accounts: d.accounts,
          password: (id) => d.secret(sourceVaultId(id)),
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
