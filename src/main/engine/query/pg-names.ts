import { NAMED_TYPES, type NamedType } from './names.js';
import type { NameSource, StoredPlacement } from './name-source.js';
import type { Row } from './reading.js';
import type { SqlQuery } from './sql-dialect.js';

/** SQLite's NOCASE: ASCII letters only (PostgreSQL's lower() in a 'C' database does the same). */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

interface Snapshot {
  names: Map<NamedType, string[]>;
  vocabulary: Record<'tags' | 'categories' | 'attributes', string[]>;
  /** Every VM, in the order of SQLite's NOCASE name index (name, vCenter, moid). */
  vms: Map<string, StoredPlacement[]>;
  /** Per type: name → the vCenters (ASCII-lowercased) holding an object of that name. */
  vcentersOf: Map<NamedType, Map<string, Set<string>>>;
}

/**
 * A type's distinct names in the order SQLite lists them: it reads them through the table's
 * NOCASE name index, so they come by name ignoring ASCII case, and names that differ only in case
 * by where they first occur (the vCenter). The order breaks ties between equally good matches
 * ("did you mean ams-Prod-A or ams-Prod-B?").
 */
const distinctNames = (type: NamedType): string => {
  const at = type === 'vcenters' ? 'id' : 'vcenter_id';
  return `SELECT name FROM (SELECT name, min(${at}) AS at FROM "${type}" GROUP BY name) x ORDER BY lower(name), at`;
};

/**
 * The names a question may use, read from PostgreSQL in one go. Parsing a question looks names
 * up synchronously, word by word, so the service loads this snapshot before it parses
 * (`ready()`), and loads it again after the inventory changed (`invalidate()`). It holds every
 * VM's name and placement: about 100 bytes a VM (10 MB for 100k VMs).
 */
export class PgNames implements NameSource {
  private snap: Snapshot | undefined;
  private stale = true;
  private loading: Promise<void> | undefined;

  constructor(private readonly all: (q: SqlQuery) => Promise<Row[]>) {}

  invalidate(): void {
    this.stale = true;
  }

  /** Loads the snapshot when there is none or the inventory changed since. */
  async ready(): Promise<void> {
    while (this.stale || !this.snap) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
  }

  private async load(): Promise<void> {
    // A change during the load marks it stale again: the next question reloads.
    this.stale = false;
    try {
      await this.fill();
    } catch (err) {
      // The next question tries again (the failure reaches this one).
      this.stale = true;
      throw err;
    }
  }

  private async fill(): Promise<void> {
    const column = async (sql: string): Promise<string[]> =>
      (await this.all({ sql, params: [] })).map((r) => r['name'] as string);
    const names = new Map<NamedType, string[]>();
    const vcentersOf = new Map<NamedType, Map<string, Set<string>>>();
    for (const t of NAMED_TYPES) {
      if (t === 'vms') continue;
      names.set(t, await column(distinctNames(t)));
      const byName = new Map<string, Set<string>>();
      const pairs = await this.all({
        // A vCenter is in itself (SQLite's statement has no vcenter_id to join a vCenter by).
        sql:
          t === 'vcenters'
            ? 'SELECT name, name AS vcenter FROM vcenters'
            : `SELECT DISTINCT t.name AS name, vc.name AS vcenter FROM "${t}" t JOIN vcenters vc ON vc.id = t.vcenter_id`,
        params: [],
      });
      for (const p of pairs) addTo(byName, p['name'] as string, asciiLower(p['vcenter'] as string));
      vcentersOf.set(t, byName);
    }
    const vmRows = (await this.all({
      sql: `SELECT t.name AS name, vc.name AS vcenter, t.host AS host, t.cluster AS cluster, t.datacenter AS datacenter,
        t.datastores AS datastores, t.networks AS networks
        FROM vms t JOIN vcenters vc ON vc.id = t.vcenter_id ORDER BY lower(t.name), t.vcenter_id, t.moid`,
      params: [],
    })) as unknown as StoredPlacement[];
    const vms = new Map<string, StoredPlacement[]>();
    const vmVcenters = new Map<string, Set<string>>();
    for (const r of vmRows) {
      const k = asciiLower(r.name);
      const list = vms.get(k);
      if (list) list.push(r);
      else vms.set(k, [r]);
      addTo(vmVcenters, r.name, asciiLower(r.vcenter));
    }
    vcentersOf.set('vms', vmVcenters);
    names.set(
      'vms',
      [...vms.values()].flatMap((l) => [...new Set(l.map((r) => r.name))]),
    );
    this.snap = {
      names,
      vcentersOf,
      vms,
      vocabulary: {
        tags: await column('SELECT DISTINCT name FROM tag_defs'),
        categories: await column('SELECT DISTINCT name FROM tag_categories'),
        attributes: await column(
          'SELECT DISTINCT name FROM vm_custom_values UNION SELECT DISTINCT name FROM host_custom_values',
        ),
      },
    };
  }

  private get s(): Snapshot {
    if (!this.snap) throw new Error('the PostgreSQL name snapshot is not loaded (await ready() first)');
    return this.snap;
  }

  names(type: NamedType): string[] {
    return this.s.names.get(type) ?? [];
  }

  vocabulary(kind: 'tags' | 'categories' | 'attributes'): string[] {
    return this.s.vocabulary[kind];
  }

  vmName(lower: string): string | undefined {
    return this.s.vms.get(asciiLower(lower))?.[0]?.name;
  }

  inVcenter(type: NamedType, names: string[], vcenter: string): string[] {
    const byName = this.s.vcentersOf.get(type);
    const vc = asciiLower(vcenter);
    return [...new Set(names.filter((n) => byName?.get(n)?.has(vc)))];
  }

  vmPlacements(name: string): StoredPlacement[] {
    return this.s.vms.get(asciiLower(name)) ?? [];
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
