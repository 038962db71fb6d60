/**
 * The doctor's checks of this machine and a SQLite data folder: the folder writable and private,
 * the cache's migrations and integrity, the keychain and the credential vault, a free REST port.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { toErrorInfo } from '../../../shared/errors.js';
import type { DoctorCheck } from '../../../shared/doctor.js';
import { pendingMigrations } from '../db/database.js';
import { checkDatabase, isCorruptionError, REPAIR_HINT, summarizeProblems } from '../db/health.js';
import { describeFinding, ensurePrivateDir, type ModeFinding } from '../private-files.js';
import { DEFAULT_KEYCHAIN_SERVICE, openKeychainItem } from '../secrets/keychain.js';
import { check } from './check.js';

/** Whether this process can write in `dir` (created private when missing). */
export function dataFolder(dir: string, subject = 'data folder'): DoctorCheck {
  const probe = path.join(dir, `.doctor-${process.pid}.tmp`);
  try {
    ensurePrivateDir(dir);
    fs.writeFileSync(probe, 'ok', { mode: 0o600 });
    fs.unlinkSync(probe);
    return check(subject, 'writable', 'ok', dir);
  } catch (err) {
    return check(subject, 'writable', 'fail', `${dir}: ${(err as Error).message}`);
  }
}

export function privacy(modes: ModeFinding[]): DoctorCheck[] {
  if (process.platform === 'win32')
    return [
      check(
        'data folder',
        'private',
        'skip',
        'file modes do not apply on Windows (the folder is in your profile)',
      ),
    ];
  if (modes.length === 0)
    return [check('data folder', 'private', 'ok', 'only you can read it (folders 0700, files 0600)')];
  return modes.map((f) => check('data folder', 'private', 'warn', describeFinding(f)));
}

export function migrations(sqlite: Database.Database | null, databaseError: string | null): DoctorCheck {
  if (!sqlite) return check('database', 'migrations', 'fail', databaseError ?? 'not opened');
  try {
    const pending = pendingMigrations(sqlite);
    const applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number })
      .n;
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
export function integrity(sqlite: Database.Database | null): DoctorCheck | null {
  if (!sqlite) return null; // the migrations check already said why it did not open
  const problems = checkDatabase(sqlite, 'integrity');
  if (problems.length === 0) return check('database', 'integrity', 'ok', 'PRAGMA integrity_check: ok');
  return check(
    'database',
    'integrity',
    'fail',
    `the cache is damaged: ${summarizeProblems(problems)}. ${REPAIR_HINT}`,
  );
}

export async function keychain(
  vault: { backend: string } | null,
  vaultError: string | null,
): Promise<DoctorCheck[]> {
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
  if (vault) out.push(check('credential vault', 'opens', 'ok', `key from the ${vault.backend} backend`));
  else out.push(check('credential vault', 'opens', 'fail', vaultError ?? 'not opened'));
  return out;
}

export async function restPort(host: string, port: number): Promise<DoctorCheck> {
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
