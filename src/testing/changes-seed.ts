/**
 * Change history rows for tests and benchmarks, written straight into a real cache's `changes`
 * table (until the recording side writes them during syncs and live updates).
 */
import type Database from 'better-sqlite3';
import type { ChangeKind, ChangeSource } from '../shared/changes.js';
import { mulberry32 } from './random.js';

export interface SeedChange {
  at: string | Date;
  vcenterId: number;
  vcenter: string;
  entity: string;
  moid: string;
  objectName: string | null;
  kind: ChangeKind;
  field?: string | null;
  oldValue?: string | null;
  newValue?: string | null;
  source?: ChangeSource;
}

/** Inserts rows as given (in one transaction); returns their ids in order. */
export function insertChanges(sqlite: Database.Database, rows: SeedChange[]): number[] {
  const ins = sqlite.prepare(
    `INSERT INTO changes (at, vcenter_id, vcenter, entity, moid, object_name, kind, field, old_value, new_value, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (const r of rows)
      ids.push(
        Number(
          ins.run(
            typeof r.at === 'string' ? r.at : r.at.toISOString(),
            r.vcenterId,
            r.vcenter,
            r.entity,
            r.moid,
            r.objectName,
            r.kind,
            r.field ?? null,
            r.oldValue ?? null,
            r.newValue ?? null,
            r.source ?? 'live',
          ).lastInsertRowid,
        ),
      );
  })();
  return ids;
}

const VM_FIELDS: [field: string, values: string[]][] = [
  ['powerState', ['poweredOn', 'poweredOff', 'suspended']],
  ['memoryMb', ['2048', '4096', '8192', '16384']],
  ['numCpu', ['1', '2', '4', '8']],
  ['host', ['esx-01', 'esx-02', 'esx-03', 'esx-04']],
  ['disk 1 capacityBytes', ['42949672960', '107374182400']],
  ['tag backup', ['', 'daily']],
];
const HOST_FIELDS: [string, string[]][] = [
  ['inMaintenanceMode', ['true', 'false']],
  ['connectionState', ['connected', 'disconnected']],
];

/**
 * `n` random rows over `days` days before `now`, spread evenly in time (ids ascending with time,
 * as a recorder writes them), over `vcenters` vCenters of `objects` VMs and hosts each.
 * Deterministic for a seed. Returns the rows it wrote.
 */
export function randomChanges(opts: {
  n: number;
  now: Date;
  days: number;
  seed?: number;
  vcenters?: number;
  objects?: number;
}): SeedChange[] {
  const rnd = mulberry32(opts.seed ?? 17);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const span = opts.days * 86_400_000;
  const start = opts.now.getTime() - span;
  const vcs = opts.vcenters ?? 4;
  const objects = opts.objects ?? 1000;
  const out: SeedChange[] = [];
  for (let i = 0; i < opts.n; i++) {
    const at = new Date(start + Math.floor(((i + rnd()) / opts.n) * span));
    const vc = 1 + Math.floor(rnd() * vcs);
    const host = rnd() < 0.1;
    const num = Math.floor(rnd() * objects);
    const base = {
      at: at.toISOString(),
      vcenterId: vc,
      vcenter: `vc-${vc}`,
      entity: host ? 'hosts' : 'vms',
      moid: host ? `host-${num}` : `vm-${num}`,
      objectName: host ? `esx-${vc}-${num}` : `vm-${vc}-${num}`,
      source: (rnd() < 0.8 ? 'live' : 'sync') as ChangeSource,
    };
    const r = rnd();
    if (r < 0.03) out.push({ ...base, kind: 'created', newValue: JSON.stringify({ name: base.objectName }) });
    else if (r < 0.05)
      out.push({ ...base, kind: 'removed', oldValue: JSON.stringify({ name: base.objectName }) });
    else {
      const [field, values] = pick(host ? HOST_FIELDS : VM_FIELDS);
      const old = pick(values);
      let nv = pick(values);
      if (nv === old) nv = values[(values.indexOf(old) + 1) % values.length]!;
      out.push({ ...base, kind: 'changed', field, oldValue: old, newValue: nv });
    }
  }
  return out;
}
