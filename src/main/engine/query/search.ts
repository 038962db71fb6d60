import type Database from 'better-sqlite3';
import type { QueryEntity } from '../../../shared/fields.js';
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

function ftsPhrase(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * "where is web-prd-12": substring matches first (FTS5 trigram index over names, guest host names
 * and IPs); failing that, a fuzzy match ranked by shared trigrams and edit distance.
 */
export class InventorySearch {
  private readonly match: Database.Statement;

  constructor(private readonly sqlite: Database.Database) {
    this.match = sqlite.prepare(
      'SELECT name, extra, entity, vcenter_id, moid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT ?',
    );
  }

  search(text: string, limit = 20): SearchHit[] {
    const q = text.trim().slice(0, 200);
    if (q.length === 0) return [];
    if (q.length < 3) {
      const rows = this.sqlite
        .prepare(
          'SELECT name, extra, entity, vcenter_id, moid FROM search_index WHERE name = ? COLLATE NOCASE LIMIT ?',
        )
        .all(q, limit) as IndexRow[];
      return rows.map((r) => this.hit(r, q));
    }
    const lower = q.toLowerCase();
    let rows = this.match.all(ftsPhrase(q), 200) as IndexRow[];
    if (rows.length === 0) {
      const grams = new Set<string>();
      for (let i = 0; i + 3 <= lower.length; i++) grams.add(lower.slice(i, i + 3));
      rows = this.match.all([...grams].map(ftsPhrase).join(' OR '), 400) as IndexRow[];
      // Keep what is really close: most trigrams shared, or a small edit distance.
      rows = rows.filter((r) => closeness(lower, r) <= Math.max(2, Math.ceil(lower.length / 4)));
    }
    rows.sort((a, b) => closeness(lower, a) - closeness(lower, b) || a.name.localeCompare(b.name));
    return rows.slice(0, limit).map((r) => this.hit(r, q));
  }

  private hit(r: IndexRow, q: string): SearchHit {
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
}

function closeness(q: string, r: IndexRow): number {
  const name = r.name.toLowerCase();
  if (name === q) return -2;
  if (r.extra.toLowerCase().split(' ').includes(q)) return -1;
  if (name.includes(q)) return 0;
  return editDistance(q, name, 6);
}
