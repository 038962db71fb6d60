/**
 * `vminer db repair`: rebuilds a damaged cache. What a person typed (the configuration tables) is
 * salvaged row by row from the damaged file — the way SQLite's `.recover` reads what it still
 * can — and what cannot be read there comes from the newest readable configuration backup. The
 * damaged file is kept aside, a new cache is created with the same ids (so the credential vault's
 * entries still match), and the inventory is left to a sync. The change history cannot be read
 * again from any vCenter: every row of it the damaged file still gives is copied over, range by
 * range, with its id.
 *
 * The caller holds the data folder's lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VminerError } from '../../../shared/errors.js';
import { CONFIG_TABLES, listBackups, type BackupInfo, type ConfigTable } from './config-backup.js';
import { DB_FILE, openDatabase } from './database.js';
import { checkDatabase, headerProblem, isCorruptionError, summarizeProblems } from './health.js';

type Row = Record<string, unknown>;

export interface TableRecovery {
  table: ConfigTable;
  /** Rows read from the damaged cache. */
  salvaged: number;
  /** Rows taken from the backup because the damaged cache could not give them. */
  fromBackup: number;
  /** Whether the damaged cache's table could be read whole (then it is the truth, the backup unused). */
  complete: boolean;
}

export interface HistoryRecovery {
  /** Change-history rows copied from the damaged cache. */
  rows: number;
  /** Whether the damaged cache's history could be read whole. */
  complete: boolean;
}

export interface RepairReport {
  /** What was wrong ([] when the cache was sound and the rebuild was forced). */
  problems: string[];
  /** Where the damaged cache (and its journal) now lie. */
  keptAs: string[];
  backup: Pick<BackupInfo, 'file' | 'createdAt' | 'reason'> | null;
  tables: TableRecovery[];
  history: HistoryRecovery;
  /** Things a person should look at (an account that could not be recovered, …). */
  notes: string[];
}

/** Highest rowid probed when the damaged table cannot even say its largest one. */
const PROBE_LIMIT = 200_000;
const CHUNK = 256;

/** Reads every row it can: the whole table, else range by range, else row by row. */
function salvageTable(
  db: Database.Database,
  table: string,
  hint: number,
): { rows: Row[]; complete: boolean } {
  const all = db.prepare(`SELECT rowid AS "__rowid", * FROM "${table}"`);
  try {
    return { rows: all.all() as Row[], complete: true };
  } catch (err) {
    if (!isCorruptionError(err)) throw err;
  }
  let top = hint;
  try {
    top = Math.max(top, Number(db.prepare(`SELECT max(rowid) FROM "${table}"`).pluck().get() ?? 0));
  } catch {
    top = Math.max(top, PROBE_LIMIT);
  }
  const range = db.prepare(`SELECT rowid AS "__rowid", * FROM "${table}" WHERE rowid BETWEEN ? AND ?`);
  const one = db.prepare(`SELECT rowid AS "__rowid", * FROM "${table}" WHERE rowid = ?`);
  const rows: Row[] = [];
  for (let lo = 1; lo <= top; lo += CHUNK) {
    try {
      rows.push(...(range.all(lo, lo + CHUNK - 1) as Row[]));
    } catch {
      for (let id = lo; id < lo + CHUNK; id++) {
        try {
          const r = one.get(id) as Row | undefined;
          if (r) rows.push(r);
        } catch {
          /* this row is lost here; the backup may have it */
        }
      }
    }
  }
  return { rows, complete: false };
}

function openDamaged(file: string): Database.Database | null {
  if (!fs.existsSync(file) || headerProblem(file)?.startsWith('it is not an SQLite database')) return null;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch {
    return null;
  }
}

function tableNames(db: Database.Database): Set<string> {
  try {
    return new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
  } catch {
    return new Set();
  }
}

/** The newest backup that reads cleanly, with its rows per configuration table. */
function readBackup(dataDir: string): { info: BackupInfo; rows: Map<ConfigTable, Row[]> } | null {
  for (const info of listBackups(dataDir)) {
    try {
      const db = new Database(info.file, { readonly: true, fileMustExist: true });
      try {
        if (checkDatabase(db, 'quick').length > 0) continue;
        const present = tableNames(db);
        const rows = new Map<ConfigTable, Row[]>();
        for (const t of CONFIG_TABLES)
          rows.set(
            t,
            present.has(t) ? (db.prepare(`SELECT rowid AS "__rowid", * FROM "${t}"`).all() as Row[]) : [],
          );
        return { info, rows };
      } finally {
        db.close();
      }
    } catch {
      /* try the next one */
    }
  }
  return null;
}

/** A row's identity: its primary key value(s), as the new cache would see them. */
function keyOf(table: ConfigTable, r: Row): string {
  switch (table) {
    case 'settings':
      return String(r['key']);
    case 'revoked_tokens':
      return String(r['jti']);
    default:
      return String(r['id']);
  }
}

/** Moves the damaged cache and its journal aside, so SQLite never replays that journal into the new one. */
function setAside(dataDir: string, stamp: string): string[] {
  const kept: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    const from = path.join(dataDir, DB_FILE + suffix);
    if (!fs.existsSync(from)) continue;
    const to = path.join(dataDir, `${DB_FILE}.damaged-${stamp}${suffix}`);
    fs.renameSync(from, to);
    kept.push(to);
  }
  return kept;
}

export interface RepairOptions {
  /** Rebuild even when SQLite finds nothing wrong. */
  force?: boolean;
  now?: Date;
}

/**
 * Rebuilds the cache in `dataDir`. Throws when the cache is sound (unless `force`) or when
 * nothing at all can be recovered (no readable table and no backup): then nothing is changed.
 */
export function repairCache(dataDir: string, opts: RepairOptions = {}): RepairReport {
  const file = path.join(dataDir, DB_FILE);
  const problems: string[] = [];
  const header = headerProblem(file);
  if (header) problems.push(header);
  const damaged = openDamaged(file);
  try {
    if (!header) {
      if (!damaged) problems.push('the file cannot be opened as a database');
      else problems.push(...checkDatabase(damaged, 'integrity'));
    }
    if (problems.length === 0 && !opts.force) {
      throw new VminerError(
        'INVALID_INPUT',
        `${file} passed SQLite's integrity check: nothing to repair (--force rebuilds it anyway)`,
      );
    }
    const backup = readBackup(dataDir);
    const present = damaged ? tableNames(damaged) : new Set<string>();
    const recovered = new Map<ConfigTable, Row[]>();
    const tables: TableRecovery[] = [];
    for (const t of CONFIG_TABLES) {
      const fromBackup = backup?.rows.get(t) ?? [];
      const hint = fromBackup.reduce((m, r) => Math.max(m, Number(r['__rowid']) || 0), 0) + 10_000;
      const s =
        damaged && present.has(t) ? salvageTable(damaged, t, hint) : { rows: [] as Row[], complete: false };
      const rows = [...s.rows];
      let added = 0;
      if (!s.complete) {
        // Only what the damaged cache could not give comes from the backup (it may be older).
        const have = new Set(rows.map((r) => keyOf(t, r)));
        for (const r of fromBackup) {
          if (have.has(keyOf(t, r))) continue;
          rows.push(r);
          added++;
        }
      }
      recovered.set(t, rows);
      tables.push({ table: t, salvaged: s.rows.length, fromBackup: added, complete: s.complete });
    }
    if (!backup && tables.every((t) => t.salvaged === 0 && !t.complete)) {
      throw new VminerError(
        'DB_DAMAGED',
        `nothing of ${file} can be read and there is no configuration backup in ${path.join(dataDir, 'backups')}: ` +
          'move the file away to start afresh (the vCenters have to be added again)',
      );
    }
    damaged?.close();
    const stamp = (opts.now ?? new Date())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    // Built beside, then swapped in: a failure on the way leaves the damaged cache where it was.
    const staging = path.join(dataDir, `.repair-${stamp}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { mode: 0o700 });
    let notes: string[];
    let keptAs: string[];
    let history: HistoryRecovery;
    try {
      ({ notes, history } = rebuild(staging, recovered, present.has('changes') ? file : null));
      keptAs = setAside(dataDir, stamp);
      fs.renameSync(path.join(staging, DB_FILE), file);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return {
      problems,
      keptAs,
      backup: backup
        ? { file: backup.info.file, createdAt: backup.info.createdAt, reason: backup.info.reason }
        : null,
      tables,
      history,
      notes,
    };
  } finally {
    if (damaged?.open) damaged.close();
  }
}

/**
 * A new cache (all migrations) in `dir`, the recovered rows inserted with their ids, checked and
 * closed (its journal folded in); returns notes for the user.
 */
function rebuild(
  dir: string,
  recovered: Map<ConfigTable, Row[]>,
  damagedFile: string | null,
): { notes: string[]; history: HistoryRecovery } {
  const fresh = openDatabase(dir);
  const notes: string[] = [];
  let history: HistoryRecovery = { rows: 0, complete: damagedFile === null };
  try {
    const sqlite = fresh.sqlite;
    sqlite.pragma('foreign_keys = OFF');
    sqlite.transaction(() => {
      for (const t of CONFIG_TABLES) {
        const columns = new Set(
          (sqlite.pragma(`table_info("${t}")`) as { name: string }[]).map((c) => c.name),
        );
        const stmts = new Map<string, Database.Statement>();
        for (const r of recovered.get(t) ?? []) {
          const cols = Object.keys(r).filter((c) => columns.has(c));
          const key = cols.join(',');
          let stmt = stmts.get(key);
          if (!stmt) {
            stmt = sqlite.prepare(
              `INSERT OR IGNORE INTO "${t}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`,
            );
            stmts.set(key, stmt);
          }
          const res = stmt.run(cols.map((c) => r[c] as string | number | bigint | Buffer | null));
          if (res.changes === 0)
            notes.push(`${t}: a recovered row clashed with another (${keyOf(t, r)}) and was left out`);
        }
      }
      // Every vCenter starts again from "not synced": its inventory is read again.
      sqlite.exec("INSERT INTO sync_state (vcenter_id, status) SELECT id, 'idle' FROM vcenters");
      // References to rows that could not be recovered: said, and cleared (FK checks are off here).
      const dangling = sqlite
        .prepare(
          'SELECT name, service_account_id AS account FROM vcenters WHERE service_account_id IS NOT NULL AND service_account_id NOT IN (SELECT id FROM service_accounts)',
        )
        .all() as { name: string; account: number }[];
      for (const d of dangling)
        notes.push(
          `${d.name} used a service account (#${d.account}) that could not be recovered; it now uses the default account — check its login`,
        );
      sqlite.exec(
        'UPDATE vcenters SET service_account_id = NULL WHERE service_account_id IS NOT NULL AND service_account_id NOT IN (SELECT id FROM service_accounts)',
      );
      const orphans = sqlite
        .prepare(
          'SELECT count(*) FROM vcenters WHERE source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM sources)',
        )
        .pluck()
        .get() as number;
      if (orphans > 0)
        notes.push(
          `${orphans} vCenter(s) came from a SQL source that could not be recovered; they are now in the local list`,
        );
      sqlite.exec(
        'UPDATE vcenters SET source_id = NULL WHERE source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM sources)',
      );
    })();
    if (damagedFile) {
      history = copyHistory(damagedFile, sqlite);
      if (!history.complete)
        notes.push(
          `the change history could be read only in part: ${history.rows.toLocaleString('en-US')} rows kept, the rest is lost`,
        );
    }
    sqlite.pragma('foreign_keys = ON');
    const fk = sqlite.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0)
      throw new VminerError('INTERNAL', `the rebuilt cache fails its foreign key check (${fk.length} rows)`);
    const problems = checkDatabase(sqlite, 'integrity');
    if (problems.length > 0)
      throw new VminerError(
        'INTERNAL',
        `the rebuilt cache fails its integrity check: ${summarizeProblems(problems)}`,
      );
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    fresh.close();
  }
  return { notes, history };
}

/** Rows of the history read per statement from the damaged cache. */
const HISTORY_CHUNK = 5_000;
/** Highest id probed when the damaged history cannot say its largest one (its default row cap). */
const HISTORY_PROBE_LIMIT = 2_000_000;

/**
 * Copies the damaged cache's change history into `fresh` (one transaction, ids kept): the whole
 * table when it reads, else id range by id range, and row by row inside a range that fails.
 */
function copyHistory(damagedFile: string, fresh: Database.Database): HistoryRecovery {
  const damaged = openDamaged(damagedFile);
  if (!damaged) return { rows: 0, complete: false };
  try {
    const have = new Set((damaged.pragma('table_info("changes")') as { name: string }[]).map((c) => c.name));
    const cols = (fresh.pragma('table_info("changes")') as { name: string }[])
      .map((c) => c.name)
      .filter((c) => have.has(c));
    if (!cols.includes('id')) return { rows: 0, complete: false };
    const list = cols.map((c) => `"${c}"`).join(',');
    const insert = fresh.prepare(
      `INSERT OR IGNORE INTO changes (${list}) VALUES (${cols.map(() => '?').join(',')})`,
    );
    const range = damaged.prepare(`SELECT ${list} FROM changes WHERE id BETWEEN ? AND ?`).raw(true);
    const one = damaged.prepare(`SELECT ${list} FROM changes WHERE id = ?`).raw(true);
    let top: number;
    let expected: number | null;
    try {
      top = Number(damaged.prepare('SELECT max(id) FROM changes').pluck().get() ?? 0);
      expected = Number(damaged.prepare('SELECT count(*) FROM changes').pluck().get());
    } catch {
      top = HISTORY_PROBE_LIMIT;
      expected = null;
    }
    let rows = 0;
    let failed = false;
    const put = (values: unknown[]): void => {
      rows += insert.run(values).changes;
    };
    fresh.transaction(() => {
      for (let lo = 1; lo <= top; lo += HISTORY_CHUNK) {
        const hi = lo + HISTORY_CHUNK - 1;
        let chunk: unknown[][];
        try {
          chunk = range.all(lo, hi) as unknown[][];
        } catch (err) {
          if (!isCorruptionError(err)) throw err;
          failed = true;
          chunk = [];
          for (let id = lo; id <= hi; id++) {
            try {
              const r = one.get(id) as unknown[] | undefined;
              if (r) chunk.push(r);
            } catch {
              /* this row is lost */
            }
          }
        }
        for (const r of chunk) put(r);
      }
    })();
    return { rows, complete: !failed && expected === rows };
  } catch (err) {
    if (!isCorruptionError(err)) throw err;
    return { rows: 0, complete: false };
  } finally {
    damaged.close();
  }
}
