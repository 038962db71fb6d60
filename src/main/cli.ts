#!/usr/bin/env node
// The `vminer` command line. This entry loads almost nothing: `--version` answers from here, and
// everything else — the command definitions, then the one command's own code — loads on demand,
// so a command never pays for another's libraries (issue 15; a test holds `--version` to it).
import { VERSION } from './engine/version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runCli } = await import('./cli/run.js');
  await runCli(process.argv, VERSION);
}
