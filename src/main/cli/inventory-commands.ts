import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { ENTITIES, type Entity } from '../../shared/inventory.js';
import { openDatabase } from '../engine/db/database.js';
import { countsByVcenter, listEntity } from '../engine/db/inventory-read.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';
import { dataDirOf, withDataDir, withJson, type CommonOptions } from './common.js';
import { formatBytes, printCsv, printJson, printTable } from './output.js';

/** Columns a terminal shows per entity; --json and --csv carry every field. */
const TABLE_COLUMNS: Record<Entity, string[]> = {
  vms: [
    'vcenter',
    'name',
    'cluster',
    'host',
    'powerState',
    'numCpu',
    'memoryMb',
    'ipAddress',
    'guestFullName',
  ],
  hosts: [
    'vcenter',
    'name',
    'cluster',
    'connectionState',
    'inMaintenanceMode',
    'numCpuCores',
    'memoryMb',
    'vmCount',
    'esxiVersion',
  ],
  datastores: ['vcenter', 'name', 'type', 'capacity', 'free', 'freePercent', 'vmCount'],
  clusters: ['vcenter', 'datacenter', 'name', 'hostCount', 'vmCount', 'drsEnabled', 'haEnabled'],
  datacenters: ['vcenter', 'name', 'clusterCount', 'hostCount', 'vmCount'],
  networks: ['vcenter', 'datacenter', 'name', 'type', 'vlanId', 'vmCount'],
  snapshots: ['vcenter', 'vm', 'name', 'createdAt', 'description'],
};

interface ListOptions extends CommonOptions {
  csv?: boolean;
  vcenter?: string;
  limit?: string;
}

export function registerInventoryCommands(program: Command): void {
  withJson(withDataDir(program.command('list <entity>')))
    .description(`list cached inventory: ${ENTITIES.join('|')}`)
    .option('--csv', 'print CSV (RFC 4180, every field)')
    .option('--vcenter <name>', 'only this vCenter')
    .option('--limit <n>', 'at most this many rows')
    .action((entityArg: string, opts: ListOptions) => {
      const entity = entityArg.toLowerCase() as Entity;
      if (!ENTITIES.includes(entity)) {
        throw new VminerError(
          'INVALID_INPUT',
          `unknown entity "${entityArg}"; choose one of ${ENTITIES.join(', ')}`,
        );
      }
      if (opts.csv && opts.json) throw new VminerError('INVALID_INPUT', 'choose --json or --csv, not both');
      const db = openDatabase(dataDirOf(opts), { readonly: true });
      try {
        const vcenterIds = opts.vcenter ? [new VcenterRepo(db.db).resolve(opts.vcenter).id] : undefined;
        const limit = opts.limit !== undefined ? Number(opts.limit) : undefined;
        const rows = listEntity(db.db, entity, { vcenterIds, limit });
        if (opts.json) printJson(rows);
        else if (opts.csv) printCsv(rows);
        else {
          const shown = rows.map((r) => ({
            ...r,
            capacity: formatBytes(r['capacityBytes'] as number | null),
            free: formatBytes(r['freeBytes'] as number | null),
          }));
          printTable(shown, TABLE_COLUMNS[entity]);
          process.stdout.write(`${rows.length} ${entity}\n`);
        }
      } finally {
        db.close();
      }
    });

  withJson(withDataDir(program.command('stats')))
    .description('counts per entity and per vCenter, and the last sync of each vCenter')
    .action((opts: CommonOptions) => {
      const db = openDatabase(dataDirOf(opts), { readonly: true });
      try {
        const vcs = new VcenterRepo(db.db).list();
        const counts = countsByVcenter(db.db);
        const totals = Object.fromEntries(ENTITIES.map((e) => [e, 0])) as Record<Entity, number>;
        const perVcenter = vcs.map((v) => {
          const c = counts.get(v.id) ?? Object.fromEntries(ENTITIES.map((e) => [e, 0]));
          for (const e of ENTITIES) totals[e] += (c as Record<Entity, number>)[e];
          return {
            id: v.id,
            name: v.name,
            status: v.sync.status,
            lastSyncAt: v.sync.finishedAt,
            lastSuccessAt: v.sync.lastSuccessAt,
            error: v.sync.error,
            counts: c,
          };
        });
        if (opts.json) {
          printJson({ totals, vcenters: perVcenter });
          return;
        }
        printTable([totals], [...ENTITIES]);
        process.stdout.write('\n');
        printTable(
          perVcenter.map((v) => ({
            ...v,
            ...v.counts,
            lastSuccessAt: v.lastSuccessAt ?? 'never',
            error: v.error?.message ?? '',
          })),
          [
            'name',
            'status',
            'vms',
            'hosts',
            'datastores',
            'clusters',
            'networks',
            'snapshots',
            'lastSuccessAt',
            'error',
          ],
        );
      } finally {
        db.close();
      }
    });
}
