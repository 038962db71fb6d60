import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { buildProgram, ENVIRONMENT_HELP } from './program.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

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

/** What `--help` prints for `cmd`, the text added after the options included. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? sourceFiles(path.join(dir, d.name))
        : d.name.endsWith('.ts') && !d.name.endsWith('.test.ts')
          ? [path.join(dir, d.name)]
          : [],
    );
}

describe('vminer --help', () => {
  it('every command shows examples of itself', () => {
    const missing = walk(buildProgram('X.Y.Z'))
      .filter((cmd) => {
        const examples = helpOf(cmd).split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
        // Each runs the command itself: `vminer vcenter add …` under `vminer vcenter add --help`.
        return !examples.includes(`${fullName(cmd)} `);
      })
      .map(fullName);
    expect(missing).toEqual([]);
  });

  it('lists every environment variable vMiner reads', () => {
    const read = new Set<string>();
    for (const dir of ['src/main', 'src/shared'])
      for (const file of sourceFiles(path.join(ROOT, dir)))
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/\bVMINER_[A-Z_]+[A-Z]\b/g)) read.add(m[0]);
    read.delete('VMINER_VERSION__'); // the build's constant, not a variable
    expect(read.size).toBeGreaterThan(5);
    const help = helpOf(buildProgram('X.Y.Z'));
    expect(help).toContain(ENVIRONMENT_HELP);
    expect([...read].filter((v) => !new RegExp(`\\n  ${v}\\s`).test(ENVIRONMENT_HELP)).sort()).toEqual([]);
  });

  it('documents every exit code', () => {
    const help = helpOf(buildProgram('X.Y.Z'));
    for (const [what, code] of Object.entries(EXIT))
      expect(help, `${what} (${code})`).toMatch(new RegExp(`\\n  ${code}\\s+\\S`));
    expect(help).toMatch(/3\s+not understood/);
  });
});
