import type { Command } from 'commander';
import { DoctorRequestSchema, type DoctorCheck } from '../../shared/doctor.js';
import { VminerError } from '../../shared/errors.js';
import { readLock } from '../engine/data-lock.js';
import { openDatabase, type OpenedDatabase } from '../engine/db/database.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';
import { runDoctor, type DoctorDeps } from '../engine/doctor.js';
import { checkDataFolderModes } from '../engine/private-files.js';
import { CredentialVault } from '../engine/secrets/index.js';
import { ServiceAccountRepo } from '../engine/sources/service-accounts.js';
import { SourceRepo } from '../engine/sources/source-repo.js';
import { dataDirOf, openEngine, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson } from './output.js';

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

export function registerDoctorCommand(program: Command): void {
  withJson(withDataDir(program.command('doctor')))
    .description(
      'check the setup: data folder, database migrations, keychain, each vCenter (DNS, TCP, TLS, login), SQL sources, REST port (exit 1 when a check fails)',
    )
    .option('--port <port>', 'REST listener port to check', '8000')
    .option('--host <host>', 'REST listener address to check', '127.0.0.1')
    .option('--timeout <ms>', 'per-step network timeout', '5000')
    .option('--local-only', 'skip the vCenter and SQL source checks')
    .action(
      async (opts: CommonOptions & { port: string; host: string; timeout: string; localOnly?: boolean }) => {
        const req = DoctorRequestSchema.parse({
          host: opts.host,
          port: Number(opts.port),
          timeoutMs: Number(opts.timeout),
          localOnly: opts.localOnly ?? false,
        });
        const dataDir = dataDirOf(opts);
        let report;
        try {
          const engine = await openEngine(opts, 'vminer doctor');
          try {
            report = await runDoctor(engine.doctorDeps(), req);
          } finally {
            engine.close();
          }
        } catch (err) {
          if (!(err instanceof VminerError) || (err.code !== 'LOCKED' && err.code !== 'DB_DAMAGED'))
            throw err;
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
        if (opts.json) printJson(report);
        else {
          for (const c of report.checks)
            process.stdout.write(`[${MARK[c.status]}] ${c.subject} — ${c.step}: ${c.detail}\n`);
          const failed = report.checks.filter((c) => c.status === 'fail').length;
          process.stdout.write(failed ? `\n${failed} check(s) failed.\n` : '\nAll checks passed.\n');
        }
        if (!report.ok) process.exitCode = 1;
      },
    );
}
