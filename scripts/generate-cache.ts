/**
 * Fills a data folder with a generated, realistic cache (no vCenter needed): for UI work and
 * benchmarks. The inventories are written through the same store a sync uses.
 *
 *   npx tsx scripts/generate-cache.ts --data-dir DIR [--vms 100000] [--hosts 5000] [--datastores 2000]
 *                                     [--vcenters 100] [--seed 1] [--failed 2] [--force]
 *
 * Refuses a folder that already has vCenters unless --force (which deletes its database first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DB_FILE, openDatabase } from '../src/main/engine/db/database.js';
import { populateCache } from '../src/testing/generate-inventory.js';
import { countsByVcenter } from '../src/main/engine/db/inventory-read.js';
import { VcenterRepo } from '../src/main/engine/db/vcenter-repo.js';
import { ENTITIES, type EntityCounts } from '../src/shared/inventory.js';

const USAGE =
  'usage: npx tsx scripts/generate-cache.ts --data-dir DIR [--vms 100000] [--hosts 5000] ' +
  '[--datastores 2000] [--vcenters 100] [--seed 1] [--failed 2] [--force]';

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min} (got "${v}")\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        vms: { type: 'string' },
        hosts: { type: 'string' },
        datastores: { type: 'string' },
        vcenters: { type: 'string' },
        seed: { type: 'string' },
        failed: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = values['data-dir'];
  if (!dataDir) {
    console.error(USAGE);
    process.exit(2);
  }
  const vcenters = int('vcenters', values.vcenters, 100, 1);
  const opts = {
    vcenters,
    vmsTotal: int('vms', values.vms, 100_000, 0),
    hostsTotal: int('hosts', values.hosts, 5_000, vcenters),
    datastoresTotal: int('datastores', values.datastores, 2_000, vcenters),
    seed: int('seed', values.seed, 1, 0),
    failedVcenters: Math.min(vcenters, int('failed', values.failed, 2, 0)),
  };

  const dir = path.resolve(dataDir);
  const file = path.join(dir, DB_FILE);
  if (fs.existsSync(file)) {
    let existing: number;
    try {
      const probe = openDatabase(dir, { readonly: true });
      try {
        existing = (probe.sqlite.prepare('SELECT count(*) AS n FROM vcenters').get() as { n: number }).n;
      } finally {
        probe.close();
      }
    } catch {
      existing = 0; // an empty or unmigrated file: nothing to lose
    }
    if (existing > 0 && !values.force) {
      console.error(
        `${dir} already holds ${existing} vCenter(s); pass --force to delete its database and start over`,
      );
      process.exit(1);
    }
    if (values.force) {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
  }

  const t0 = performance.now();
  const opened = openDatabase(dir);
  let lastPrint = 0;
  try {
    populateCache(opened, {
      ...opts,
      onProgress: (done, total, name) => {
        const t = performance.now();
        if (process.stderr.isTTY && (t - lastPrint > 250 || done === total)) {
          lastPrint = t;
          process.stderr.write(`\r  ${done}/${total} vCenters (${name})   `);
          if (done === total) process.stderr.write('\n');
        }
      },
    });
    const writtenMs = performance.now() - t0;
    opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const totalMs = performance.now() - t0;

    const totals = Object.fromEntries(ENTITIES.map((e) => [e, 0])) as EntityCounts;
    for (const c of countsByVcenter(opened.db).values()) for (const e of ENTITIES) totals[e] += c[e];
    const list = new VcenterRepo(opened.db).list();
    const failed = list.filter((v) => v.sync.status === 'failed').map((v) => v.name);
    const size = fs.statSync(file).size;

    console.log(`Generated ${dir}/${DB_FILE} in ${(totalMs / 1000).toFixed(1)} s`);
    console.log(
      `  (generate + write ${(writtenMs / 1000).toFixed(1)} s, checkpoint ${((totalMs - writtenMs) / 1000).toFixed(1)} s; ` +
        `${(size / 1048576).toFixed(0)} MiB)`,
    );
    console.log(`  vCenters     ${list.length}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}`);
    for (const e of ENTITIES) console.log(`  ${e.padEnd(12)} ${totals[e].toLocaleString('en-US')}`);
    console.log(`  seed         ${opts.seed}`);
  } finally {
    opened.close();
  }
}

main();
