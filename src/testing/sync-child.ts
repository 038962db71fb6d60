/**
 * Test support: runs one full sync of a data folder in a process of its own and reports the
 * results and the process's peak memory, for tests that bound what a sync may cost.
 *
 *   node --import tsx src/testing/sync-child.ts <data-dir>
 *
 * Prints one JSON line: { results, maxRssBytes }. The vault is the file backend (tests' choice).
 */
import { Engine } from '../main/engine/engine.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: sync-child.ts <data-dir>');
const engine = await Engine.open({
  dataDir,
  owner: 'sync-child',
  vaultBackend: 'file',
  onWarning: () => undefined,
});
try {
  const summary = await engine.sync.sync();
  process.stdout.write(
    JSON.stringify({
      results: summary.results,
      // ru_maxrss is in kilobytes on Linux.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    }) + '\n',
  );
} finally {
  engine.close();
}
