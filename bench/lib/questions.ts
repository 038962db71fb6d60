/**
 * The representative questions of the query benchmarks (`bench:query`, `bench:query-pg`), with
 * names picked from the generated cache.
 */
import type Database from 'better-sqlite3';

export type Category = 'list' | 'count' | 'group' | 'find';

export interface Question {
  q: string;
  expect: Category;
  /** Follow-up in the conversation started by the question with this index. */
  followUpOf?: number;
}

export function pickNames(sqlite: Database.Database): Record<string, string> {
  const one = (sql: string): string => {
    const row = sqlite.prepare(sql).raw().get() as unknown[] | undefined;
    return String(row?.[0] ?? '');
  };
  return {
    cluster: one(
      `SELECT cluster FROM vms WHERE power_state = 'poweredOff' AND cluster IS NOT NULL
       GROUP BY cluster ORDER BY count(*) DESC, cluster LIMIT 1`,
    ),
    // Somewhere in the middle of the estate, not the first rows a scan meets.
    vm: one(
      `SELECT name FROM vms WHERE template = 0 ORDER BY vcenter_id, moid
       LIMIT 1 OFFSET (SELECT count(*) * 54 / 100 FROM vms)`,
    ),
    ip: one(
      `SELECT ip_address FROM vms WHERE ip_address IS NOT NULL ORDER BY vcenter_id, moid
       LIMIT 1 OFFSET (SELECT count(*) * 33 / 100 FROM vms WHERE ip_address IS NOT NULL)`,
    ),
    host: one(`SELECT name FROM hosts ORDER BY vm_count DESC, name LIMIT 1`),
    vcenter: one(`SELECT name FROM vcenters ORDER BY id LIMIT 1 OFFSET 1`),
    vcenter2: one(`SELECT name FROM vcenters ORDER BY id LIMIT 1 OFFSET 7`),
    datacenter: one(`SELECT name FROM datacenters ORDER BY vcenter_id LIMIT 1 OFFSET 5`),
  };
}

export function questions(n: Record<string, string>): Question[] {
  const qs: Question[] = [
    // lists (first page)
    { q: `powered off vms in cluster ${n['cluster']}`, expect: 'list' },
    { q: 'windows vms with more than 8 cpus', expect: 'list' },
    { q: 'vms without an ip', expect: 'list' },
    { q: 'snapshots older than 30 days', expect: 'list' },
    { q: 'datastores with less than 10% free', expect: 'list' },
    { q: 'hosts in maintenance mode', expect: 'list' },
    { q: 'top 10 vms by memory', expect: 'list' },
    { q: 'shoe me all powred on vms', expect: 'list' },
    { q: `vms on host ${n['host']}`, expect: 'list' },
    { q: `linux vms in ${n['vcenter2']} with more than 32 gb of memory`, expect: 'list' },
    { q: 'suspended vms', expect: 'list' },
    { q: 'vms with tools not running', expect: 'list' },
    { q: 'vms with snapshots', expect: 'list' },
    // counts
    { q: 'how many vms', expect: 'count' },
    { q: 'how many powered on vms are there', expect: 'count' },
    { q: 'count hosts', expect: 'count' },
    { q: `how many vms in ${n['vcenter']}`, expect: 'count' },
    { q: 'number of windows vms with less than 4 gb of memory', expect: 'count' },
    { q: 'how many datastores are more than 90% full', expect: 'count' },
    // groups
    { q: 'count vms by cluster', expect: 'group' },
    { q: 'vms by power state', expect: 'group' },
    { q: 'count vms by guest os', expect: 'group' },
    { q: 'hosts by esxi version', expect: 'group' },
    { q: 'total memory of vms by vcenter', expect: 'group' },
    // lookups
    { q: `where is ${n['vm']}`, expect: 'find' },
    { q: `who has ip ${n['ip']}`, expect: 'find' },
  ];
  // A follow-up chain in one conversation.
  const base = qs.length;
  qs.push(
    { q: `powered on vms in ${n['datacenter']}`, expect: 'list' },
    { q: 'only the windows ones', expect: 'list', followUpOf: base },
    { q: 'sort them by memory', expect: 'list', followUpOf: base },
    { q: 'how many are there', expect: 'count', followUpOf: base },
  );
  return qs;
}
