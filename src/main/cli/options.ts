/**
 * What command definitions share: the common options, examples, and `lazy`, which loads a
 * command's code only when that command runs. This module and the definitions in commands/ import
 * commander and nothing heavy: `vminer --help` loads only them.
 */
import { Option, type Command } from 'commander';

export interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

/** How a command prints data: JSON, JSON lines (one row per line, streamed), CSV, or text. */
export interface OutputOptions extends CommonOptions {
  jsonl?: boolean;
  csv?: boolean;
}

/** `--data-dir` goes on every command. */
export function withDataDir(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--data-dir <dir>',
      'vMiner data folder (default: $VMINER_DATA_DIR or the per-user app data folder)',
    ),
  );
}

/** `--json` on commands that print data. */
export function withJson(cmd: Command): Command {
  return cmd.addOption(new Option('--json', 'print machine-readable JSON'));
}

/** `--json` or `--csv`: commands that print a table. */
export function withTable(cmd: Command): Command {
  return cmd
    .addOption(new Option('--json', 'print machine-readable JSON').conflicts(['csv']))
    .addOption(new Option('--csv', 'print the table as CSV (RFC 4180, a header line of field names)'));
}

/** `--json`, `--jsonl` or `--csv`: commands that print long lists (streamed row by row). */
export function withList(cmd: Command): Command {
  return cmd
    .addOption(new Option('--json', 'print machine-readable JSON (one array)').conflicts(['csv', 'jsonl']))
    .addOption(new Option('--jsonl', 'print JSON lines: one object per line, streamed').conflicts(['csv']))
    .addOption(new Option('--csv', 'print CSV (RFC 4180, a header line of field names)'));
}

/** The examples every `--help` ends with. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

type ActionOf<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;

/**
 * The action of a command, loaded when the command runs: `lazy(() => import('../actions/x.js'),
 * 'add')`. Each action module becomes a chunk of its own in the build, so a command loads its own
 * code and libraries only (issue 15).
 */
export function lazy<M, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
): (...args: ActionOf<M, K>) => Promise<void> {
  return async (...args) => {
    const mod = await load();
    const fn = mod[name] as (...a: ActionOf<M, K>) => unknown;
    await fn(...args);
  };
}
