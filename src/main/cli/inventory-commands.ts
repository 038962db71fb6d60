import type { Command } from 'commander';
import { VminerError } from '../../shared/errors.js';
import { ENTITIES, type Entity } from '../../shared/inventory.js';
import { DEFAULT_COLUMNS, fieldDef } from '../../shared/fields.js';
import { formatValue } from '../../shared/describe.js';
import { openDatabase } from '../engine/db/database.js';
import { listEntity } from '../engine/db/inventory-read.js';
import { inventoryStats } from '../engine/db/stats.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';
import { dataDirOf, withDataDir, withJson, type CommonOptions } from './common.js';
import { printCsv, printJson, printTable } from './output.js';

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
          // The same default columns as answers and grids; sizes shown with their units.
          const columns = DEFAULT_COLUMNS[entity];
          const shown = rows.map((r) =>
            Object.fromEntries(
              columns.map((c) => {
                const v = r[c];
                const unit = fieldDef(entity, c)?.unit;
                return [
                  c,
                  typeof v === 'number' && unit && unit !== 'percent' ? formatValue(entity, c, v) : v,
                ];
              }),
            ),
          );
          printTable(shown, columns);
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
        const s = inventoryStats(db);
        if (opts.json) {
          printJson(s);
          return;
        }
        printTable([s.totals], [...ENTITIES]);
        process.stdout.write('\n');
        printTable(
          s.vcenters.map((v) => ({
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
