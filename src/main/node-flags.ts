/**
 * The V8 flags vMiner's heavy work runs with: the CLI's long commands, `vminer serve`, and the
 * desktop app's engine host. Node 24's V8 lets the young generation grow to 64 MB semi-spaces
 * where Node 20's stopped at 16; with the same allocation pattern (XML parsing, row objects) that
 * added 100–190 MB of peak RSS to a sync or an XLSX export for no measurable speed-up
 * (docs/benchmarks.md, "Node 20 → 24"). 16 MB is Node 20's ceiling.
 *
 * This module imports nothing: the CLI's entry loads it before deciding anything else.
 */

/** Caps each young-generation semi-space at 16 MB (Node 20's default ceiling). */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=16';

/** Every flag the engine runs with, in the form `node` and `execArgv` take. */
export const ENGINE_NODE_FLAGS: readonly string[] = [SEMI_SPACE_FLAG];

/**
 * Set in the environment of a CLI that re-executed itself with ENGINE_NODE_FLAGS: the new process
 * never tries again (a wrapper that strips the flags would otherwise loop).
 */
export const REEXEC_MARKER = 'VMINER_NODE_FLAGS_APPLIED';

/**
 * Commands that hold the engine for long or move a lot of data. Everything else (`--version`,
 * `help`, `ask`, `list` …) starts as fast as it can: a second process start would cost it more
 * than the smaller heap saves.
 */
const HEAVY_COMMANDS: ReadonlySet<string> = new Set(['serve', 'sync', 'export', 'live']);

/** Whether the command line (the arguments after the script) runs a heavy command. */
export function isHeavyCommand(args: readonly string[]): boolean {
  // Options belong to the commands (no global option takes a value): the command comes first.
  const first = args[0];
  return first !== undefined && HEAVY_COMMANDS.has(first);
}

/** Whether `execArgv` already carries every engine flag (its own value for a flag counts). */
export function hasEngineFlags(execArgv: readonly string[]): boolean {
  // V8 reads `--max_semi_space_size` and `--max-semi-space-size` alike.
  const given = execArgv.map((a) => normalise(a).split('=')[0]);
  return ENGINE_NODE_FLAGS.every((flag) => given.includes(normalise(flag).split('=')[0]));
}

const normalise = (arg: string): string => {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  return name.replace(/_/g, '-') + (eq < 0 ? '' : arg.slice(eq));
};

export interface ReexecInput {
  /** `process.argv`: the node binary, the script, then the command line. */
  argv: readonly string[];
  execArgv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface Reexec {
  /** The new process's argv, `argv[0]` included (what `process.execve` takes). */
  args: string[];
  env: Record<string, string>;
}

/**
 * How the CLI restarts itself with the engine flags, or null when it should not: a light command,
 * the flags already there (the `vminer` shebang passes them), or a restart already done.
 */
export function reexecPlan(input: ReexecInput): Reexec | null {
  const [node, script, ...rest] = input.argv;
  if (node === undefined || script === undefined) return null;
  if (!isHeavyCommand(rest) || hasEngineFlags(input.execArgv)) return null;
  if (input.env[REEXEC_MARKER] !== undefined) return null;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.env)) if (v !== undefined) env[k] = v;
  env[REEXEC_MARKER] = '1';
  return { args: [node, ...input.execArgv, ...ENGINE_NODE_FLAGS, script, ...rest], env };
}

/**
 * Restarts this process in place (same PID, same stdio) with the engine flags when the command
 * is heavy and they are missing. Returns only when there is nothing to do, or when the platform
 * cannot (`process.execve` exists on POSIX from Node 23.11): the command then runs as it is.
 */
export function reexecWithEngineFlags(): void {
  const plan = reexecPlan({ argv: process.argv, execArgv: process.execArgv, env: process.env });
  if (!plan || typeof process.execve !== 'function') return;
  process.execve(process.execPath, plan.args, plan.env);
}

/**
 * The options the desktop app forks its engine host with (Electron's `utilityProcess.fork`): the
 * engine flags go in as `execArgv`, as they would on a `node` command line.
 */
export function engineHostForkOptions(): {
  serviceName: string;
  stdio: 'inherit';
  execArgv: string[];
} {
  return { serviceName: 'vMiner engine', stdio: 'inherit', execArgv: [...ENGINE_NODE_FLAGS] };
}
