import Fuse from 'fuse.js';
import type { NameSource } from './name-source.js';
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

/** Where a VM is: the names its row carries (for "which host runs web-01"). */
export interface VmPlacement {
  name: string;
  vcenter: string;
  host: string | null;
  cluster: string | null;
  datacenter: string | null;
  datastores: string[];
  networks: string[];
}

/** "Prod A", "prod_a" and "prod-a" name the same object. */
export function normalizeName(text: string): string {
  return text.toLowerCase().replace(/[\s_]+/g, '-');
}

export type NameResolution =
  | { kind: 'exact'; name: string }
  | { kind: 'fuzzy'; name: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'none'; closest: string[] };

/**
 * The live inventory vocabulary (distinct names per type), for "in cluster prodction" →
 * "Production". Loaded lazily, dropped when the inventory changes.
 */
export class NameIndex {
  private byType = new Map<
    NamedType,
    {
      exact: Map<string, string>;
      normalized: Map<string, string[]>;
      fuse: Fuse<string> | undefined;
      list: string[];
    }
  >();
  /** Host names by their first label ("esx07" → esx07.fra.lab, esx07.ams.lab). */
  private shortHosts: Map<string, string[]> | undefined;
  private normalizedFirst: Set<string> | undefined;
  private allLower: Set<string> | undefined;
  private multiWordFirst: Set<string> | undefined;
  /** Tag and category names (tag_defs, tag_categories) and custom attribute names, lowercased → as stored. */
  private tagVocab: { tags: Map<string, string>; categories: Map<string, string> } | undefined;
  private attributeNames: Map<string, string> | undefined;
  /** VM names are too many to hold (100k+): they are looked up one at a time through the index. */
  private readonly vmCache = new Map<string, string | null>();

  constructor(private readonly source: NameSource) {}

  invalidate(): void {
    this.byType.clear();
    this.allLower = undefined;
    this.multiWordFirst = undefined;
    this.shortHosts = undefined;
    this.normalizedFirst = undefined;
    this.tagVocab = undefined;
    this.attributeNames = undefined;
    this.vmCache.clear();
  }

  private byLower(names: string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const n of names) out.set(n.toLowerCase(), n);
    return out;
  }

  /** The tags and tag categories the vCenters define ("backup", "gold"). */
  tagNames(): { tags: Map<string, string>; categories: Map<string, string> } {
    this.tagVocab ??= {
      tags: this.byLower(this.source.vocabulary('tags')),
      categories: this.byLower(this.source.vocabulary('categories')),
    };
    return this.tagVocab;
  }

  /** A custom attribute's name as stored ("owner", "cost-center"), when some VM or host has it set. */
  attribute(lower: string): string | undefined {
    this.attributeNames ??= this.byLower(this.source.vocabulary('attributes'));
    return this.attributeNames.get(lower);
  }

  private vmName(lower: string): string | null {
    let hit = this.vmCache.get(lower);
    if (hit === undefined) {
      hit = this.source.vmName(lower) ?? null;
      if (this.vmCache.size > 5000) this.vmCache.clear();
      this.vmCache.set(lower, hit);
    }
    return hit;
  }

  private load(type: NamedType) {
    let entry = this.byType.get(type);
    if (!entry) {
      const rows = this.source.names(type);
      const exact = new Map<string, string>();
      const normalized = new Map<string, string[]>();
      for (const r of rows) {
        exact.set(r.toLowerCase(), r);
        const k = normalizeName(r);
        normalized.set(k, [...(normalized.get(k) ?? []), r]);
      }
      entry = { exact, normalized, fuse: undefined, list: rows };
      this.byType.set(type, entry);
    }
    return entry;
  }

  private all(): Set<string> {
    if (!this.allLower) {
      this.allLower = new Set();
      this.multiWordFirst = new Set();
      this.normalizedFirst = new Set();
      for (const t of NAMED_TYPES) {
        if (t === 'vms') continue;
        for (const k of this.load(t).exact.keys()) {
          this.allLower.add(k);
          if (k.includes(' ')) this.multiWordFirst.add(k.split(' ')[0]!);
        }
        for (const k of this.load(t).normalized.keys()) {
          this.allLower.add(k);
          if (k.includes('-')) this.normalizedFirst.add(k.split('-')[0]!);
        }
      }
    }
    return this.allLower;
  }

  private short(): Map<string, string[]> {
    if (!this.shortHosts) {
      this.shortHosts = new Map();
      for (const h of this.load('hosts').list) {
        const dot = h.indexOf('.');
        if (dot <= 0) continue;
        const k = h.slice(0, dot).toLowerCase();
        this.shortHosts.set(k, [...(this.shortHosts.get(k) ?? []), h]);
      }
    }
    return this.shortHosts;
  }

  isName(lower: string): boolean {
    return this.all().has(lower) || this.short().has(lower) || this.vmName(lower) !== null;
  }

  typesOf(lower: string): NamedType[] {
    const norm = normalizeName(lower);
    return NAMED_TYPES.filter((t) =>
      t === 'vms'
        ? this.vmName(lower) !== null
        : this.load(t).exact.has(lower) ||
          this.load(t).normalized.has(norm) ||
          (t === 'hosts' && this.short().has(lower)),
    );
  }

  longestName(tokens: readonly Token[], start: number): number {
    const all = this.all();
    const first = tokens[start]?.norm;
    if (!first) return 0;
    for (const [set, sep] of [
      [this.multiWordFirst!, ' '],
      [this.normalizedFirst!, '-'],
    ] as const) {
      if (!set.has(first)) continue;
      for (let len = Math.min(5, tokens.length - start); len > 1; len--) {
        const part = tokens.slice(start, start + len);
        if (part.some((t) => t.kind !== 'word' && t.kind !== 'number')) continue;
        const text = part.map((t) => t.norm).join(sep);
        if (all.has(text)) return len;
      }
    }
    return all.has(first) || this.short().has(first) || this.vmName(first) !== null ? 1 : 0;
  }

  /** Which of these names exist in that vCenter ("host esx04 in vcenter vc-1"). */
  inVcenter(type: NamedType, names: string[], vcenter: string): string[] {
    if (names.length === 0) return [];
    return this.source.inVcenter(type, names, vcenter);
  }

  /** Where the VMs of this name are (one per vCenter that has one). */
  vmPlacement(name: string): VmPlacement[] {
    const rows = this.source.vmPlacements(name);
    const list = (v: string | null): string[] => (v ? v.split(', ').filter(Boolean) : []);
    return rows.map((r) => ({ ...r, datastores: list(r.datastores), networks: list(r.networks) }));
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
    // "prod a" is Prod-A; two objects that differ only by case or separators are asked about.
    const norm = normalizeName(text);
    const same = entry.normalized.get(norm);
    if (same?.length === 1) return { kind: 'exact', name: same[0]! };
    if (same && same.length > 1) return { kind: 'ambiguous', candidates: same };
    // "esx07" is esx07.fra.lab when only one host has that short name.
    if (type === 'hosts') {
      const hosts = this.short().get(text.toLowerCase());
      if (hosts?.length === 1) return { kind: 'fuzzy', name: hosts[0]! };
      if (hosts && hosts.length > 1) return { kind: 'ambiguous', candidates: hosts };
    }
    // "staging" is lon-Staging when one name has it as a whole part at its start or end.
    if (norm.length >= 2) {
      const parts = entry.list.filter((n) => {
        const k = normalizeName(n);
        return k.endsWith(`-${norm}`) || k.startsWith(`${norm}-`);
      });
      if (parts.length === 1) return { kind: 'fuzzy', name: parts[0]! };
      if (parts.length > 1) return { kind: 'ambiguous', candidates: parts.sort() };
    }
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
