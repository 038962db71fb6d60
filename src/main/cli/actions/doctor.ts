import {
  DoctorRequestSchema,
  type DoctorCheck,
  type DoctorReport,
  type DoctorRequest,
} from '../../../shared/doctor.js';
import { VminerError } from '../../../shared/errors.js';
import { readLock } from '../../engine/data-lock.js';
import { openDatabase, type OpenedDatabase } from '../../engine/db/database.js';
import { VcenterRepo } from '../../engine/db/vcenter-repo.js';
import { runDoctor, type DoctorDeps } from '../../engine/doctor.js';
import { checkDataFolderModes } from '../../engine/private-files.js';
import { CredentialVault } from '../../engine/secrets/index.js';
import { ServiceAccountRepo } from '../../engine/sources/service-accounts.js';
import { SourceRepo } from '../../engine/sources/source-repo.js';
import { EXIT } from '../exit-codes.js';
import type { CommonOptions } from '../options.js';
import { emit } from '../output.js';
import { dataDirOf, withEngine } from '../session.js';

const MARK: Record<DoctorCheck['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** Another process holds the folder: check beside it with a read-only database. */
async function readOnlyDeps(
  dataDir: string,
  lockNote: string | null,
): Promise<{ deps: DoctorDeps; db: OpenedDatabase | null }> {
  let db: OpenedDatabase | null = null;
  let databaseError: string | null = null;
  try {
    db = openDatabase(dataDir, { readonly: true });
  } catch (err) {
    databaseError = (err as Error).message;
  }
  let vault: CredentialVault | null = null;
  let vaultError: string | null = null;
  try {
    vault = await CredentialVault.open({ dataDir, onWarning: () => undefined });
  } catch (err) {
    vaultError = (err as Error).message;
  }
  return {
    db,
    deps: {
      dataDir,
      sqlite: db?.sqlite ?? null,
      databaseError,
      repo: db ? new VcenterRepo(db.db) : null,
      accounts: db ? new ServiceAccountRepo(db.db) : null,
      sources: db ? new SourceRepo(db.db) : null,
      vault,
      vaultError,
      lockNote,
      // Beside another holder the doctor only reads: the holder tightens what it owns when it starts.
      modes: checkDataFolderModes(dataDir, { fix: false }),
    },
  };
}

/** `--database`: the team doctor, on connections of its own (no instance needs to run). */
async function teamReport(url: string, opts: CommonOptions, req: DoctorRequest): Promise<DoctorReport> {
  const { target } = await import('./db-migrate.js');
  const { runTeamDoctor } = await import('../../engine/team/team-doctor.js');
  return runTeamDoctor({ target: await target(url, 'doctor', opts), logDir: dataDirOf(opts) }, req);
}

export async function doctor(
  opts: CommonOptions & {
    port: string;
    host: string;
    timeout: string;
    localOnly?: boolean;
    database?: string;
  },
): Promise<void> {
  const req = DoctorRequestSchema.parse({
    host: opts.host,
    port: Number(opts.port),
    timeoutMs: Number(opts.timeout),
    localOnly: opts.localOnly ?? false,
  });
  const { databaseUrl } = await import('./db-migrate.js');
  const url = databaseUrl(opts.database, '--database');
  const dataDir = dataDirOf(opts);
  let report: DoctorReport;
  if (url) report = await teamReport(url, opts, req);
  else
    try {
      report = await withEngine(opts, 'vminer doctor', (_engine, call) => call('doctor.run', req));
    } catch (err) {
      if (!(err instanceof VminerError) || (err.code !== 'LOCKED' && err.code !== 'DB_DAMAGED')) throw err;
      // Locked: check beside its holder. Damaged: check what can still be read, and say so.
      const holder = err.code === 'LOCKED' ? readLock(dataDir) : undefined;
      const { deps, db } = await readOnlyDeps(
        dataDir,
        err.code === 'LOCKED'
          ? `in use by ${holder?.owner ?? 'another process'}${holder ? ` (pid ${holder.pid})` : ''}; checked read-only beside it`
          : null,
      );
      try {
        report = await runDoctor(deps, req);
      } finally {
        db?.close();
      }
    }
  emit(opts, report, (r) => {
    const failed = r.checks.filter((c) => c.status === 'fail').length;
    return [
      ...r.checks.map((c) => `[${MARK[c.status]}] ${c.subject} — ${c.step}: ${c.detail}`),
      failed ? `\n${failed} check(s) failed.` : '\nAll checks passed.',
    ].join('\n');
  });
  if (!report.ok) process.exitCode = EXIT.failed;
}
