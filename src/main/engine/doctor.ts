/**
 * The doctor on a SQLite data folder (`vminer doctor`, the desktop's Help menu). Its checks live
 * in doctor/: the data folder's and this machine's (local-checks.ts), and the vCenters' and SQL
 * sources' (vcenter-checks.ts), which the team doctor on PostgreSQL (team/team-doctor.ts) shares.
 */
import type Database from 'better-sqlite3';
import type { DoctorCheck, DoctorReport, DoctorRequest } from '../../shared/doctor.js';
import type { VcenterRepo } from './db/vcenter-repo.js';
import type { ModeFinding } from './private-files.js';
import type { ServiceAccountRepo } from './sources/service-accounts.js';
import type { SourceRepo } from './sources/source-repo.js';
import { check } from './doctor/check.js';
import { dataFolder, integrity, keychain, migrations, privacy, restPort } from './doctor/local-checks.js';
import { sourceChecks, vcenterChecks, type RegistryDeps } from './doctor/vcenter-checks.js';

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

/** A first-run check-up: each check says what it found and what to do about it. */
export async function runDoctor(d: DoctorDeps, req: DoctorRequest): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [dataFolder(d.dataDir)];
  checks.push(...privacy(d.modes));
  if (d.lockNote) checks.push(check('data folder', 'lock', 'ok', d.lockNote));
  checks.push(migrations(d.sqlite, d.databaseError));
  const sound = integrity(d.sqlite);
  if (sound) checks.push(sound);
  checks.push(...(await keychain(d.vault, d.vaultError)));
  // The three come from one database: all there, or none (it did not open).
  if (!req.localOnly && d.repo && d.accounts && d.sources) {
    const registry: RegistryDeps = {
      vcenters: d.repo,
      accounts: d.accounts,
      sources: d.sources,
      secret: (id) => d.vault?.get(id),
    };
    checks.push(...(await vcenterChecks(registry, req.timeoutMs)));
    checks.push(...(await sourceChecks(registry)));
  }
  checks.push(await restPort(req.host, req.port));
  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}
