import Fuse from 'fuse.js';
import type Database from 'better-sqlite3';
import type { QueryEntity } from '../../../shared/fields.js';
import type { Token } from './tokenize.js';
import { editDistance } from './spelling.js';

/** Entities whose names a question can refer to. */
export const NAMED_TYPES = [
  'clusters',
  'hosts',
  'datastores',
  'datacenters',
  'vcenters',
  'networks',
  'vms',
] as const;
export type NamedType = (typeof NAMED_TYPES)[number];

export type NameResolution =
  | { kind: 'exact'; name: string }
  | { kind: 'fuzzy'; name: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none'; closest: string[] };

const TABLE: Record<NamedType, string> = {
  clusters: 'clusters',
  hosts: 'hosts',
  datastores: 'datastores',
  datacenters: 'datacenters',
  vcenters: 'vcenters',
  networks: 'networks',
  vms: 'vms',
};

/**
 * The live inventory vocabulary (distinct names per type), for "in cluster prodction" →
 * "Production". Loaded lazily, dropped when the inventory changes.
 */
export class NameIndex {
  private byType = new Map<
    NamedType,
    { exact: Map<string, string>; fuse: Fuse<string> | undefined; list: string[] }
  >();
  private allLower: Set<string> | undefined;
  private multiWordFirst: Set<string> | undefined;
  /** VM names are too many to hold (100k+): they are looked up one at a time through the index. */
  private readonly vmCache = new Map<string, string | null>();
  private vmLookup: Database.Statement | undefined;

  constructor(private readonly sqlite: Database.Database) {}

  invalidate(): void {
    this.byType.clear();
    this.allLower = undefined;
    this.multiWordFirst = undefined;
    this.vmCache.clear();
  }

  private vmName(lower: string): string | null {
    let hit = this.vmCache.get(lower);
    if (hit === undefined) {
      this.vmLookup ??= this.sqlite
        .prepare('SELECT name FROM vms WHERE name = ? COLLATE NOCASE LIMIT 1')
        .pluck();
      hit = (this.vmLookup.get(lower) as string | undefined) ?? null;
      if (this.vmCache.size > 5000) this.vmCache.clear();
      this.vmCache.set(lower, hit);
    }
    return hit;
  }

  private load(type: NamedType) {
    let entry = this.byType.get(type);
    if (!entry) {
      const rows = this.sqlite.prepare(`SELECT DISTINCT name FROM ${TABLE[type]}`).pluck().all() as string[];
      const exact = new Map<string, string>();
      for (const r of rows) exact.set(r.toLowerCase(), r);
      entry = { exact, fuse: undefined, list: rows };
      this.byType.set(type, entry);
    }
    return entry;
  }

  private all(): Set<string> {
    if (!this.allLower) {
      this.allLower = new Set();
      this.multiWordFirst = new Set();
      for (const t of NAMED_TYPES) {
        if (t === 'vms') continue;
        for (const k of this.load(t).exact.keys()) {
          this.allLower.add(k);
          if (k.includes(' ')) this.multiWordFirst.add(k.split(' ')[0]!);
        }
      }
    }
    return this.allLower;
  }

  isName(lower: string): boolean {
    return this.all().has(lower) || this.vmName(lower) !== null;
  }

  typesOf(lower: string): NamedType[] {
    return NAMED_TYPES.filter((t) =>
      t === 'vms' ? this.vmName(lower) !== null : this.load(t).exact.has(lower),
    );
  }

  longestName(tokens: readonly Token[], start: number): number {
    const all = this.all();
    const first = tokens[start]?.norm;
    if (!first) return 0;
    if (this.multiWordFirst!.has(first)) {
      for (let len = Math.min(5, tokens.length - start); len > 1; len--) {
        const text = tokens
          .slice(start, start + len)
          .map((t) => t.norm)
          .join(' ');
        if (all.has(text)) return len;
      }
    }
    return all.has(first) || this.vmName(first) !== null ? 1 : 0;
  }

  /** Exact (case-insensitive) first; then fuzzy, surfacing ties instead of guessing. */
  resolve(type: NamedType, text: string): NameResolution {
    if (type === 'vms') {
      const vm = this.vmName(text.toLowerCase());
      return vm ? { kind: 'exact', name: vm } : { kind: 'none', closest: [] };
    }
    const entry = this.load(type);
    const hit = entry.exact.get(text.toLowerCase());
    if (hit) return { kind: 'exact', name: hit };
    // A whole part of a name: "fra" for vc-fra, "prod-a" for ams-prod-a, when only one fits.
    const parts = this.partial(type, text.toLowerCase());
    if (parts.length === 1) return { kind: 'fuzzy', name: parts[0]! };
    if (parts.length > 1 && parts.length <= 6) return { kind: 'ambiguous', candidates: parts.sort() };
    entry.fuse ??= new Fuse(entry.list, { includeScore: true, threshold: 0.4, ignoreLocation: true });
    // fuse.js proposes; an edit-distance bound decides, so "ams-Prod-A" never becomes "fra-Prod-D".
    const lower = text.toLowerCase();
    const max = Math.max(1, Math.floor(lower.length / 4));
    const scored = entry.fuse
      .search(text, { limit: 10 })
      .map((r) => ({ name: r.item, dist: editDistance(lower, r.item.toLowerCase(), max) }))
      .filter((r) => r.dist <= max)
      .sort((a, b) => a.dist - b.dist);
    const best = scored[0];
    if (!best) {
      return { kind: 'none', closest: entry.fuse.search(text, { limit: 3 }).map((r) => r.item) };
    }
    const ties = scored.filter((r) => r.dist === best.dist).map((r) => r.name);
    if (ties.length > 1) return { kind: 'ambiguous', candidates: ties };
    return { kind: 'fuzzy', name: best.name };
  }

  /**
   * Names that contain the text as whole parts, split at `-`, `_`, `.` or a space ("fra" in
   * "vc-fra", "prod-a" in "ams-Prod-A"; never "pro" in "prod-a").
   */
  private partial(type: NamedType, lower: string): string[] {
    if (lower.length < 2) return [];
    const sep = /[-_. ]/;
    return this.load(type).list.filter((name) => {
      const l = name.toLowerCase();
      for (let i = l.indexOf(lower); i >= 0; i = l.indexOf(lower, i + 1)) {
        const end = i + lower.length;
        if ((i === 0 || sep.test(l[i - 1]!)) && (end === l.length || sep.test(l[end]!))) return true;
      }
      return false;
    });
  }

  /**
   * Which named types know this text (exactly, else by a confident fuzzy or partial match). A
   * vCenter comes first: "vms in fra" means the vCenter vc-fra more often than its datacenter.
   */
  guessTypes(text: string): NamedType[] {
    const exact = this.typesOf(text.toLowerCase());
    if (exact.length > 0) return exact;
    const found = NAMED_TYPES.filter((t) => t !== 'vms' && this.resolve(t, text).kind === 'fuzzy');
    return found.includes('vcenters') ? ['vcenters', ...found.filter((t) => t !== 'vcenters')] : found;
  }
}

export function entityOfNamedType(t: NamedType): QueryEntity {
  return t;
}
