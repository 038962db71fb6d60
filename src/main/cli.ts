#!/usr/bin/env -S node --max-semi-space-size=16
// The `vminer` command line. This entry loads almost nothing: `--version` answers from here, and
// everything else — the command definitions, then the one command's own code — loads on demand,
// so a command never pays for another's libraries (issue 15; a test holds `--version` to it).
// The shebang carries the engine's V8 flags (node-flags.ts; a test checks they agree); started as
// `node cli.js serve|sync|export|live`, the CLI restarts itself once with them, in place.
import { reexecWithEngineFlags } from './node-flags.js';

declare const __VMINER_VERSION__: string | undefined;

// The build writes the version in; from the sources it comes from package.json (engine/version.ts).
const VERSION =
  typeof __VMINER_VERSION__ === 'string' ? __VMINER_VERSION__ : (await import('./engine/version.js')).VERSION;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  reexecWithEngineFlags();
  const { runCli } = await import('./cli/run.js');
  await runCli(process.argv, VERSION);
}

export {};
