import type Database from 'better-sqlite3';
import type { NamedType, VmPlacement } from './names.js';

/** A VM's placement as stored: datastores and networks as ", "-joined lists. */
export type StoredPlacement = Omit<VmPlacement, 'datastores' | 'networks'> & {
  datastores: string | null;
  networks: string | null;
};

/**
 * Where the name index reads the inventory's names from. Parsing a question asks for names many
 * times per word, so every method is synchronous: on SQLite they are indexed lookups; on
 * PostgreSQL a snapshot loaded before a question is parsed (`PgNames`).
 */
export interface NameSource {
  /** The distinct names of one type of object, in the order the back end lists them. */
  names(type: NamedType): string[];
  /** Tag names, tag category names, custom attribute names (of VMs and hosts). */
  vocabulary(kind: 'tags' | 'categories' | 'attributes'): string[];
  /** A VM's name as stored, by its name in any ASCII case. */
  vmName(lower: string): string | undefined;
  /** Which of `names` (as stored) exist in the vCenter of that name (any case). */
  inVcenter(type: NamedType, names: string[], vcenter: string): string[];
  /** Every VM of that name (any ASCII case), one per vCenter that has it. */
  vmPlacements(name: string): StoredPlacement[];
}

const VOCABULARY: Record<'tags' | 'categories' | 'attributes', string> = {
  tags: 'SELECT DISTINCT name FROM tag_defs',
  categories: 'SELECT DISTINCT name FROM tag_categories',
  attributes: 'SELECT DISTINCT name FROM vm_custom_values UNION SELECT DISTINCT name FROM host_custom_values',
};

/** The names of the SQLite cache, read through its NOCASE indexes. */
export class SqliteNames implements NameSource {
  private vmLookup: Database.Statement | undefined;
  private placementLookup: Database.Statement | undefined;

  constructor(private readonly sqlite: Database.Database) {}

  names(type: NamedType): string[] {
    return this.sqlite.prepare(`SELECT DISTINCT name FROM ${type}`).pluck().all() as string[];
  }

  vocabulary(kind: 'tags' | 'categories' | 'attributes'): string[] {
    return this.sqlite.prepare(VOCABULARY[kind]).pluck().all() as string[];
  }

  vmName(lower: string): string | undefined {
    this.vmLookup ??= this.sqlite
      .prepare('SELECT name FROM vms WHERE name = ? COLLATE NOCASE LIMIT 1')
      .pluck();
    return this.vmLookup.get(lower) as string | undefined;
  }

  inVcenter(type: NamedType, names: string[], vcenter: string): string[] {
    return this.sqlite
      .prepare(
        `SELECT DISTINCT t.name FROM ${type} t JOIN vcenters vc ON vc.id = t.vcenter_id
         WHERE vc.name = ? COLLATE NOCASE AND t.name IN (${names.map(() => '?').join(', ')})`,
      )
      .pluck()
      .all(vcenter, ...names) as string[];
  }

  vmPlacements(name: string): StoredPlacement[] {
    this.placementLookup ??= this.sqlite.prepare(
      `SELECT t.name AS name, vc.name AS vcenter, t.host AS host, t.cluster AS cluster, t.datacenter AS datacenter,
        t.datastores AS datastores, t.networks AS networks
       FROM vms t JOIN vcenters vc ON vc.id = t.vcenter_id WHERE t.name = ? COLLATE NOCASE`,
    );
    return this.placementLookup.all(name) as StoredPlacement[];
  }
}
