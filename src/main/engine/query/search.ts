import type { QueryEntity } from '../../../shared/fields.js';
import type { Reading } from './reading.js';
import { SqlParams, type Dialect } from './sql-dialect.js';
import { editDistance } from './spelling.js';

export interface SearchHit {
  entity: QueryEntity;
  vcenterId: number;
  moid: string;
  name: string;
  matchedOn: string;
}

interface IndexRow {
  name: string;
  extra: string;
  entity: QueryEntity;
  vcenter_id: number;
  moid: string;
}

const COLUMNS = 'SELECT name, extra, entity, vcenter_id, moid FROM search_index';

function ftsPhrase(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Rows whose name or extra holds one of `texts` (any ASCII case), best first: FTS5's trigram
 * index ranks them on SQLite; on PostgreSQL pg_trgm's GIN indexes serve the ILIKEs and the rows
 * come in index order (the caller ranks them by closeness either way).
 */
function containing(d: Dialect, texts: string[], limit: number): { sql: string; params: SqlParams } {
  const b = new SqlParams(d);
  if (d === 'sqlite') {
    const match = b.bind(texts.map(ftsPhrase).join(' OR '));
    return {
      sql: `${COLUMNS} WHERE search_index MATCH ${match} ORDER BY rank LIMIT ${b.bind(limit)}`,
      params: b,
    };
  }
  const terms = texts.flatMap((t) => {
    const like = `%${likeEscape(t)}%`;
    return [`name ILIKE ${b.bind(like)} ESCAPE '\\'`, `extra ILIKE ${b.bind(like)} ESCAPE '\\'`];
  });
  return { sql: `${COLUMNS} WHERE ${terms.join(' OR ')} ORDER BY id LIMIT ${b.bind(limit)}`, params: b };
}

function* rowsContaining(d: Dialect, texts: string[], limit: number): Reading<IndexRow[]> {
  const { sql, params } = containing(d, texts, limit);
  return (yield params.query(sql)) as unknown as IndexRow[];
}

/**
 * "where is web-prd-12": substring matches first (a trigram index over names, guest host names
 * and IPs); failing that, a fuzzy match ranked by shared trigrams and edit distance.
 */
export function* searchInventory(d: Dialect, text: string, limit = 20): Reading<SearchHit[]> {
  const q = text.trim().slice(0, 200);
  if (q.length === 0) return [];
  if (q.length < 3) {
    const b = new SqlParams(d);
    const where = d === 'pg' ? `lower(name) = lower(${b.bind(q)})` : `name = ${b.bind(q)} COLLATE NOCASE`;
    // SQLite scans the FTS table in rowid order; PostgreSQL's id is that rowid.
    const order = d === 'pg' ? ' ORDER BY id' : '';
    const rows = (yield b.query(
      `${COLUMNS} WHERE ${where}${order} LIMIT ${b.bind(limit)}`,
    )) as unknown as IndexRow[];
    return rows.map((r) => hit(r, q));
  }
  const lower = q.toLowerCase();
  let rows = yield* rowsContaining(d, [q], 200);
  if (rows.length === 0) {
    const grams = new Set<string>();
    for (let i = 0; i + 3 <= lower.length; i++) grams.add(lower.slice(i, i + 3));
    rows = yield* rowsContaining(d, [...grams], 400);
    // Keep what is really close: most trigrams shared, or a small edit distance.
    rows = rows.filter((r) => closeness(lower, r) <= Math.max(2, Math.ceil(lower.length / 4)));
  }
  rows.sort((a, b) => closeness(lower, a) - closeness(lower, b) || a.name.localeCompare(b.name));
  return rows.slice(0, limit).map((r) => hit(r, q));
}

function hit(r: IndexRow, q: string): SearchHit {
  const onName =
    r.name.toLowerCase().includes(q.toLowerCase()) || !r.extra.toLowerCase().includes(q.toLowerCase());
  return {
    entity: r.entity,
    vcenterId: r.vcenter_id,
    moid: r.moid,
    name: r.name,
    matchedOn: onName ? 'name' : r.extra,
  };
}

function closeness(q: string, r: IndexRow): number {
  const name = r.name.toLowerCase();
  if (name === q) return -2;
  if (r.extra.toLowerCase().split(' ').includes(q)) return -1;
  if (name.includes(q)) return 0;
  return editDistance(q, name, 6);
}
