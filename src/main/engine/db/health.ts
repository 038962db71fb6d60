/**
 * Is the cache file a sound SQLite database? A cheap look at the header on every open; SQLite's
 * own checks (`quick_check`, `integrity_check`) when asked: at the start of a long-running engine,
 * by `vminer doctor` and `vminer db check`. A damaged cache is named as such, with the way out
 * (`vminer db repair`), never as something else (a pending upgrade, an internal error).
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { isCorruptionError, REPAIR_HINT, VminerError } from '../../../shared/errors.js';

export { isCorruptionError, REPAIR_HINT };

const MAGIC = 'SQLite format 3\0';

/** A SQLite error saying the file is not a database or its pages are broken. */
export function damagedError(file: string, detail: string, cause?: unknown): VminerError {
  return new VminerError('DB_DAMAGED', `the cache ${file} is damaged: ${detail}. ${REPAIR_HINT}`, { cause });
}

/** What is wrong with the file's first page, or null (also for a missing or empty file: a new cache). */
export function headerProblem(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null;
    const h = Buffer.alloc(100);
    const n = fs.readSync(fd, h, 0, 100, 0);
    if (n < 16 || h.toString('latin1', 0, 16) !== MAGIC) {
      const start = h
        .subarray(0, Math.min(n, 16))
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '.');
      return `it is not an SQLite database (it starts with "${start}"); something overwrote it`;
    }
    if (n < 100) return `it was cut short (${size} bytes, less than one header)`;
    const raw = h.readUInt16BE(16);
    const pageSize = raw === 1 ? 65_536 : raw;
    if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0)
      return `its header is broken (page size ${raw})`;
    // The page count in the header is valid when its "version-valid-for" matches the change counter.
    const pages = h.readUInt32BE(28);
    if (pages > 0 && h.readUInt32BE(92) === h.readUInt32BE(24) && size < pages * pageSize) {
      return `it was cut short: the file holds ${formatSize(size)} of the ${formatSize(pages * pageSize)} its header describes`;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/**
 * SQLite's own check: `quick` (every page's structure, about 0.6 s for a 150 MB cache) or
 * `integrity` (also indexes against tables, about 3x that). Returns the problems found, [] when
 * sound, at most `max`.
 */
export function checkDatabase(sqlite: Database.Database, kind: 'quick' | 'integrity', max = 20): string[] {
  try {
    const rows = sqlite.pragma(`${kind}_check(${max})`) as Record<string, string>[];
    // One row per problem, or one row of several lines ("*** in database main ***\nTree 40 …").
    const lines = rows
      .flatMap((r) => String(Object.values(r)[0] ?? '').split('\n'))
      .filter((l) => l && !/^\*\*\* in database/.test(l));
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
  } catch (err) {
    if (isCorruptionError(err)) return [(err as Error).message];
    throw err;
  }
}

/** The problems as one line for a message: the first few, and how many more. */
export function summarizeProblems(problems: string[], shown = 3): string {
  const head = problems.slice(0, shown).join('; ');
  return problems.length > shown ? `${head}; and ${problems.length - shown} more` : head;
}
