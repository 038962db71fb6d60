/** CLI: build (if needed) the vCenter simulator launcher and print its path. `npx tsx e2e/vcsim/build.ts` */
import { ensureVcsimBinary } from '../../src/testing/vcsim.js';

try {
  const bin = await ensureVcsimBinary();
  process.stdout.write(`${bin}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
