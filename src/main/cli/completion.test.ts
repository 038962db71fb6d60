// The completion scripts, run by the shells themselves: bash completes as a user would see it;
// zsh runs the same logic with its completion builtins stood in by functions that print what
// they are given (they only work inside a completion widget); PowerShell (not on this machine) is
// checked for the command tree it carries.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionScript, completionTree } from './completion.js';
import { buildProgram } from './program.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-completion-'));
  for (const shell of ['bash', 'zsh', 'powershell'] as const)
    fs.writeFileSync(path.join(dir, shell), completionScript(shell, buildProgram('X.Y.Z')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What bash offers after `words` (the last one is the word being completed). */
function bash(words: string[]): string[] {
  const script = `source ${JSON.stringify(path.join(dir, 'bash'))}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_vminer_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

function zsh(words: string[]): string[] {
  const script = `compadd() { [[ "$1" == -- ]] && shift; print -l -- "$@" }
_files() { print -- ':files' }
compdef() { : }
source ${JSON.stringify(path.join(dir, 'zsh'))}
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}
_vminer`;
  const r = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('vminer completion bash', () => {
  it('completes commands, subcommands, options and their values', () => {
    expect(bash(['vminer', 'vc'])).toEqual(['vcenter']);
    expect(bash(['vminer', 'vcenter', 'a'])).toEqual(['add']);
    expect(bash(['vminer', 'list', ''])).toEqual(
      expect.arrayContaining(['vms', 'hosts', 'datastores', 'snapshots']),
    );
    expect(bash(['vminer', 'list', 'vms', '--wh'])).toEqual(['--where']);
    expect(bash(['vminer', 'list', 'vms', '--j'])).toEqual(['--json', '--jsonl']);
    expect(bash(['vminer', 'export', '--format', ''])).toEqual(['csv', 'json', 'xlsx', 'rvtools']);
    expect(bash(['vminer', 'export', '--entity', 'v'])).toEqual(['vms', 'vcenters']);
    expect(bash(['vminer', 'serve', '--log-level', 'w'])).toEqual(['warn']);
    expect(bash(['vminer', 'completion', ''])).toEqual(['bash', 'zsh', 'powershell']);
    expect(bash(['vminer', 'scheduler', 'o'])).toEqual(['on', 'off']);
  });

  it('skips options and their values when finding the command, and completes paths as files', () => {
    expect(bash(['vminer', '--data-dir', '/tmp/x', 'vcenter', 'l'])).toEqual(['list']);
    fs.writeFileSync(path.join(dir, 'estate.xlsx'), '');
    expect(bash(['vminer', 'export', '--out', 'est'])).toEqual(['estate.xlsx']);
  });
});

describe('vminer completion zsh', () => {
  it('runs the same logic under zsh', () => {
    expect(zsh(['vminer', 'vcenter', 'a'])).toEqual(expect.arrayContaining(['add', 'probe', 'list']));
    expect(zsh(['vminer', 'list', 'vms', '--'])).toEqual(expect.arrayContaining(['--where', '--jsonl']));
    expect(zsh(['vminer', 'export', '--format', ''])).toEqual(['csv', 'json', 'xlsx', 'rvtools']);
    expect(zsh(['vminer', 'export', '--out', ''])).toEqual([':files']);
    expect(zsh(['vminer', '--data-dir', '/tmp/x', 'source', ''])).toEqual(
      expect.arrayContaining(['add', 'edit', 'refresh']),
    );
  });
});

describe('vminer completion powershell', () => {
  it('carries the whole command tree and the option values', () => {
    const text = fs.readFileSync(path.join(dir, 'powershell'), 'utf8');
    expect(text).toContain('Register-ArgumentCompleter -Native -CommandName vminer');
    const tree = completionTree(buildProgram('X.Y.Z'));
    for (const n of tree)
      expect(text).toContain(`'${n.path}' = @{ sub = @(${n.subcommands.map((s) => `'${s}'`).join(', ')})`);
    expect(text).toContain("'export|--format' = @('csv', 'json', 'xlsx', 'rvtools')");
    expect(tree.find((n) => n.path === 'vcenter add')?.options).toEqual(
      expect.arrayContaining(['--url', '--thumbprint', '--data-dir', '--json', '--help']),
    );
  });
});
