#!/usr/bin/env node
import { VminerError } from '../shared/errors.js';
import { buildProgram } from './cli/program.js';
import { configureLogging } from './engine/log.js';

import { VERSION } from './engine/version.js';

configureLogging({ stderrLevel: 'none' });
// `vminer list vms | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildProgram(VERSION)
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof VminerError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  });
