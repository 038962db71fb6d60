import { openDatabase } from '../../src/main/engine/db/database.js';
import { populateCache, type PopulateOptions } from '../../src/testing/generate-inventory.js';
import { int } from './format.js';

/**
 * Fills `dir` with a generated cache unless it already holds one (`--data-dir` reuse), and says
 * which. Returns the generation time (0 when reused) and how many vCenters the cache has.
 */
export function ensureBenchCache(
  dir: string,
  size: Omit<PopulateOptions, 'seed' | 'failedVcenters'>,
  log: (s: string) => void,
  seed = 1,
): { genMs: number; vcenters: number } {
  const opened = openDatabase(dir);
  try {
    const existing = (opened.sqlite.prepare('SELECT count(*) AS n FROM vcenters').get() as { n: number }).n;
    if (existing > 0) {
      log(`Using the existing cache in ${dir} (${existing} vCenters)`);
      return { genMs: 0, vcenters: existing };
    }
    log(
      `Generating ${int(size.vmsTotal)} VMs / ${int(size.hostsTotal)} hosts / ${int(size.datastoresTotal)} datastores / ${size.vcenters} vCenters into ${dir} …`,
    );
    const t = performance.now();
    populateCache(opened, { ...size, seed, failedVcenters: 2 });
    opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const genMs = performance.now() - t;
    log(`  generated + written in ${(genMs / 1000).toFixed(1)} s`);
    return { genMs, vcenters: size.vcenters };
  } finally {
    opened.close();
  }
}
