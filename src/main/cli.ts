#!/usr/bin/env node
import { toErrorInfo } from '../shared/errors.js';
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
    // The same words as over REST and IPC (a damaged cache says how to repair it).
    process.stderr.write(`error: ${toErrorInfo(err).message}\n`);
    process.exitCode = 1;
  });
