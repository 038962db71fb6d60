/**
 * Rolling backups of what a person typed — vCenters, service accounts, sources, users, settings,
 * revoked tokens — apart from the inventory (which a sync reads again). Each backup is a small
 * SQLite file in `backups/` beside the cache, written to a temp name and renamed into place:
 *
 * - `config-daily-YYYY-MM-DD.db`: the first time an engine opens the folder on a (UTC) day, and
 *   hourly while one runs; the last 7 are kept.
 * - `config-pre-migration-<time>.db`: before a database upgrade; the last 3 are kept.
 * - `config-latest.db`: when the configuration changed, checked hourly and when an engine closes.
 *
 * `vminer db repair` restores from the newest readable one what it cannot salvage from a damaged
 * cache. (Only the configuration tables are copied, so a backup of a 150 MB cache is kilobytes:
 * the whole-file `VACUUM INTO` would copy the inventory too.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const BACKUP_DIR = 'backups';
/** The configuration tables, parents first (the order a restore inserts them in). */
export const CONFIG_TABLES = [
  'service_accounts',
  'sources',
  'vcenters',
  'users',
  'settings',
  'revoked_tokens',
] as const;
export type ConfigTable = (typeof CONFIG_TABLES)[number];

export type BackupReason = 'daily' | 'pre-migration' | 'latest';
export const KEEP: Record<Exclude<BackupReason, 'latest'>, number> = { daily: 7, 'pre-migration': 3 };

export interface BackupInfo {
  file: string;
  reason: BackupReason;
  createdAt: string;
  /** Database upgrades applied to the cache the backup was taken from. */
  migrations: number;
}

const DAY_MS = 86_400_000;

function tablesOf(sqlite: Database.Database): Set<string> {
  return new Set(
    sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
  );
}

function fileName(reason: BackupReason, now: Date): string {
  if (reason === 'daily') return `config-daily-${now.toISOString().slice(0, 10)}.db`;
  if (reason === 'latest') return 'config-latest.db';
  return `config-pre-migration-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`;
}

/** Copies the configuration tables of `sqlite` (not inside a transaction) to a backup file. */
export function writeConfigBackup(
  sqlite: Database.Database,
  dataDir: string,
  reason: BackupReason,
  now = new Date(),
): string {
  const dir = path.join(dataDir, BACKUP_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, fileName(reason, now));
  const temp = `${target}.${process.pid}.tmp`;
  // Created first with owner-only access: it holds account names and password hashes.
  fs.writeFileSync(temp, '', { mode: 0o600 });
  try {
    const present = tablesOf(sqlite);
    const migrations = present.has('__drizzle_migrations')
      ? (sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number)
      : 0;
    sqlite.prepare('ATTACH DATABASE ? AS config_backup').run(temp);
    try {
      for (const t of CONFIG_TABLES)
        if (present.has(t)) sqlite.exec(`CREATE TABLE config_backup."${t}" AS SELECT * FROM main."${t}"`);
      sqlite.exec('CREATE TABLE config_backup.backup_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const info = sqlite.prepare('INSERT INTO config_backup.backup_info (key, value) VALUES (?, ?)');
      info.run('reason', reason);
      info.run('created_at', now.toISOString());
      info.run('migrations', String(migrations));
    } finally {
      sqlite.exec('DETACH DATABASE config_backup');
    }
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  prune(dir, now);
  return target;
}

/** Keeps the newest `KEEP` backups of each kind and drops leftovers of interrupted writes. */
function prune(dir: string, now: Date): void {
  const files = fs.readdirSync(dir);
  for (const [kind, keep] of Object.entries(KEEP)) {
    const mine = files.filter((f) => f.startsWith(`config-${kind}-`) && f.endsWith('.db')).sort();
    for (const f of mine.slice(0, Math.max(0, mine.length - keep)))
      fs.rmSync(path.join(dir, f), { force: true });
  }
  for (const f of files.filter((x) => x.endsWith('.tmp'))) {
    const p = path.join(dir, f);
    try {
      if (now.getTime() - fs.statSync(p).mtimeMs > DAY_MS) fs.rmSync(p, { force: true });
    } catch {
      /* gone meanwhile */
    }
  }
}

/** The backups that can be read, newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = path.join(dataDir, BACKUP_DIR);
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => /^config-.*\.db$/.test(f));
  } catch {
    return [];
  }
  const out: BackupInfo[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('SELECT key, value FROM backup_info').all() as {
          key: string;
          value: string;
        }[];
        const info = Object.fromEntries(rows.map((r) => [r.key, r.value]));
        out.push({
          file,
          reason: info['reason'] as BackupReason,
          createdAt: info['created_at'] ?? '',
          migrations: Number(info['migrations'] ?? 0),
        });
      } finally {
        db.close();
      }
    } catch {
      /* unreadable: not offered */
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** A fingerprint of the configuration tables, to tell whether they changed. */
export function configDigest(sqlite: Database.Database): string {
  const h = createHash('sha256');
  const present = tablesOf(sqlite);
  for (const t of CONFIG_TABLES) {
    if (!present.has(t)) continue;
    h.update(`\0${t}\0`);
    for (const row of sqlite.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().iterate())
      h.update(JSON.stringify(row));
  }
  return h.digest('hex');
}

/**
 * What an engine runs: today's daily backup when it opens (if none yet), hourly the daily and,
 * when the configuration changed, the latest; the latest again when it closes. Failures are
 * reported, never thrown: a backup must not stop the engine.
 */
export class ConfigBackupKeeper {
  private digest: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly dataDir: string,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.run(() => {
      this.digest = configDigest(sqlite);
      this.daily();
      if (!fs.existsSync(path.join(dataDir, BACKUP_DIR, fileName('latest', this.now()))))
        writeConfigBackup(sqlite, dataDir, 'latest', this.now());
    });
    this.timer = setInterval(() => this.tick(), 3_600_000);
    this.timer.unref();
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }

  private daily(): void {
    const now = this.now();
    if (!fs.existsSync(path.join(this.dataDir, BACKUP_DIR, fileName('daily', now))))
      writeConfigBackup(this.sqlite, this.dataDir, 'daily', now);
  }

  private latestIfChanged(): void {
    const d = configDigest(this.sqlite);
    if (d === this.digest) return;
    writeConfigBackup(this.sqlite, this.dataDir, 'latest', this.now());
    this.digest = d;
  }

  tick(): void {
    this.run(() => {
      this.daily();
      this.latestIfChanged();
    });
  }

  close(): void {
    clearInterval(this.timer);
    if (this.sqlite.open) this.run(() => this.latestIfChanged());
  }
}
