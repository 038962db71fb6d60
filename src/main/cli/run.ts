/**
 * Runs the command line: parses it, runs the command, and turns every failure into the same two
 * things — a message (on stderr, or with `--json` as `{"error": {"code", "message"}}` on stdout)
 * and a documented exit code (exit-codes.ts).
 */
import { CommanderError, type Command } from 'commander';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

/** `--json` given before any `--`: how a failure during parsing is reported. */
function jsonAsked(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function report(error: ErrorInfo, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({ error }) + '\n');
  else process.stderr.write(`error: ${error.message}\n`);
}

export async function runCli(argv: string[], version: string): Promise<void> {
  // `vminer list vms | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  let json = jsonAsked(argv.slice(2));
  const program: Command = buildProgram(version, {
    // Commander's own errors (unknown option, missing argument) in the same form as ours.
    outputError: (text, write) =>
      json
        ? report({ code: 'INVALID_INPUT', message: text.replace(/^error: /, '').trim() }, true)
        : write(text),
    // Its "(add --help for usage)" hint is for people.
    writeErr: (text) => (json ? undefined : process.stderr.write(text)),
  });
  program.hook('preAction', (_program, action) => {
    json = action.opts<{ json?: boolean }>().json === true;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end the same way, with exit code 0.
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    // The same words as over REST and IPC (a damaged cache says how to repair it).
    report(toErrorInfo(err), json);
    process.exitCode = EXIT.failed;
  }
}
