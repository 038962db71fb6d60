import { ENGINE_NODE_FLAGS } from '../../src/main/node-flags.js';

/**
 * The V8 flags bench children that run engine work start with: the ones `vminer` and the desktop
 * engine host use (src/main/node-flags.ts), so a benchmark measures what users run.
 * `--no-engine-flags` leaves Node's defaults, for a before/after (with `--root` pointing at a
 * build from before the flags, whose CLI does not add them itself).
 */
export const BENCH_ENGINE_FLAGS: readonly string[] = process.argv.includes('--no-engine-flags')
  ? []
  : ENGINE_NODE_FLAGS;
