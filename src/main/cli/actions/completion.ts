import type { Command } from 'commander';
import { completionScript, type Shell } from '../completion.js';

export function completion(shell: Shell, _opts: unknown, cmd: Command): void {
  let root = cmd;
  while (root.parent) root = root.parent;
  process.stdout.write(completionScript(shell, root));
}
