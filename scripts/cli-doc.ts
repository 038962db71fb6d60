/**
 * Writes docs/cli.md from the command line's own `--help` texts: every command and subcommand, in
 * the order `vminer --help` lists them. A test fails when the committed page is stale.
 *
 *   npm run docs:cli        tsx scripts/cli-doc.ts [--check]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../src/main/cli/program.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DOC = path.join(ROOT, 'docs', 'cli.md');

function walk(cmd: Command, out: Command[] = []): Command[] {
  out.push(cmd);
  for (const sub of cmd.commands) walk(sub, out);
  return out;
}

function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The page: a heading per command with its help text, as a terminal 100 columns wide shows it. */
export function cliDoc(): string {
  const program = buildProgram('X.Y.Z');
  const parts = [
    '# The `vminer` command line',
    '',
    'Generated from `vminer --help` and each command’s `--help` by `npm run docs:cli`; do not edit by hand.\nEvery command exits with one of the codes listed under `vminer` (0 success, 1 failed, 2 partly\nfailed, 3 not understood, 64 usage); with `--json` a failure prints `{"error": {"code", "message"}}` on stdout.',
    '',
  ];
  for (const cmd of walk(program)) {
    // What `--help` prints, the text added after it (examples, environment, exit codes) included.
    let text = '';
    cmd.configureHelp({ helpWidth: 100 });
    cmd.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => 100 });
    cmd.outputHelp();
    parts.push(`## ${fullName(cmd)}`, '', '```text', text.trimEnd(), '```', '');
  }
  return parts.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const fresh = cliDoc();
  if (process.argv.includes('--check')) {
    if (!fs.existsSync(CLI_DOC) || fs.readFileSync(CLI_DOC, 'utf8') !== fresh) {
      process.stderr.write('docs/cli.md is stale: run `npm run docs:cli`\n');
      process.exitCode = 1;
    }
  } else fs.writeFileSync(CLI_DOC, fresh);
}
