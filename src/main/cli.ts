#!/usr/bin/env node
import { VminerError } from '../shared/errors.js';
import { buildProgram } from './cli/program.js';
import { isCorruptionError, REPAIR_HINT } from './engine/db/health.js';
import { configureLogging } from './engine/log.js';

declare const __VMINER_VERSION__: string | undefined;
const version = typeof __VMINER_VERSION__ === 'string' ? __VMINER_VERSION__ : '0.0.0-dev';

configureLogging({ stderrLevel: 'none' });
// `vminer list vms | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildProgram(version)
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof VminerError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else if (isCorruptionError(err)) {
      process.stderr.write(`error: the cache is damaged (${(err as Error).message}). ${REPAIR_HINT}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  });
