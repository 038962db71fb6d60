/**
 * Shell completion scripts for bash, zsh and PowerShell, written from the program's own command
 * tree: subcommands, options, the values of options and arguments that take a fixed set. A command
 * or option added to the program completes without touching this file.
 */
import type { Command } from 'commander';
import { FILE_FORMATS } from '../../shared/export-formats.js';
import { QUERY_ENTITIES } from '../../shared/fields.js';
import { ENTITIES } from '../../shared/inventory.js';
import { SOURCE_KINDS } from '../../shared/source-kinds.js';

export const SHELLS = ['bash', 'zsh', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** Values of positional arguments, by command path (commander keeps no choices for them here). */
const ARG_VALUES: Record<string, readonly string[]> = {
  list: ENTITIES,
  scheduler: ['status', 'on', 'off'],
  live: ['status', 'on', 'off', 'both', 'pause', 'resume'],
  completion: SHELLS,
};

/** Values of options whose help names a fixed set (commander `.choices()` adds the rest). */
const OPTION_VALUES: Record<string, readonly string[]> = {
  '--format': FILE_FORMATS,
  '--entity': QUERY_ENTITIES,
  '--kind': SOURCE_KINDS,
  '--auth': ['sql', 'ntlm'],
  '--role': ['admin', 'viewer'],
};

export interface CompletionNode {
  /** Space-separated command path: '' for `vminer`, 'vcenter add', … */
  path: string;
  subcommands: string[];
  options: string[];
  /** Options that take a value, with the values when they are a fixed set (else files complete). */
  values: Record<string, string[] | null>;
  args: string[];
}

/** The command tree as completion data, depth first. */
export function completionTree(program: Command): CompletionNode[] {
  const out: CompletionNode[] = [];
  const walk = (cmd: Command, path: string): void => {
    const options = cmd.options.filter((o) => !o.hidden);
    const values: Record<string, string[] | null> = {};
    for (const o of options) {
      if (!o.long || !(o.required || o.optional)) continue;
      values[o.long] = o.argChoices
        ? [...o.argChoices]
        : OPTION_VALUES[o.long]
          ? [...OPTION_VALUES[o.long]!]
          : null;
    }
    out.push({
      path,
      subcommands: cmd.commands.map((c) => c.name()),
      options: [...options.flatMap((o) => (o.long ? [o.long] : o.short ? [o.short] : [])), '--help'],
      values,
      args: [...(ARG_VALUES[path] ?? [])],
    });
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return out;
}

const shWords = (xs: readonly string[]): string => xs.join(' ');

/** POSIX `case` functions over the tree, shared by bash and zsh. */
function shellData(tree: CompletionNode[]): string {
  const fn = (name: string, body: (n: CompletionNode) => string | null): string => {
    const cases = tree
      .map((n) => [n.path, body(n)] as const)
      .filter((c): c is readonly [string, string] => c[1] !== null && c[1] !== '')
      .map(([p, words]) => `    "${p}") echo "${words}" ;;`);
    return `_vminer_${name}() {\n  case "$1" in\n${cases.join('\n')}\n  esac\n}`;
  };
  const valueCases = tree.flatMap((n) =>
    Object.entries(n.values).map(
      ([opt, vs]) => `    "${n.path}|${opt}") echo "${vs ? shWords(vs) : ':files'}" ;;`,
    ),
  );
  return [
    fn('subcommands', (n) => shWords(n.subcommands)),
    fn('options', (n) => shWords(n.options)),
    fn('args', (n) => shWords(n.args)),
    `# An option's values: a fixed set, ":files" for a path or free text, nothing when it takes none.\n_vminer_values() {\n  case "$1|$2" in\n${valueCases.join('\n')}\n  esac\n}`,
    // The command path of the words before the cursor (options and their values skipped).
    `_vminer_path() {
  local cmdpath="" w
  for w in "$@"; do
    case "$w" in -*) continue ;; esac
    case " $(_vminer_subcommands "$cmdpath") " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;; esac
  done
  echo "$cmdpath"
}`,
  ].join('\n\n');
}

function bash(tree: CompletionNode[]): string {
  return `# vminer completion for bash. Load it in ~/.bashrc:  source <(vminer completion bash)
# or install it:  vminer completion bash > /etc/bash_completion.d/vminer
${shellData(tree)}

_vminer_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmdpath values
  cmdpath="$(_vminer_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  values="$(_vminer_values "$cmdpath" "$prev")"
  if [ "$values" = ":files" ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [ -n "$values" ]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_vminer_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_vminer_subcommands "$cmdpath") $(_vminer_args "$cmdpath")" -- "$cur"))
  fi
}
complete -F _vminer_complete vminer
`;
}

function zsh(tree: CompletionNode[]): string {
  return `#compdef vminer
# vminer completion for zsh. Load it in ~/.zshrc (after compinit):  source <(vminer completion zsh)
# or put it on $fpath as _vminer.
${shellData(tree)}

_vminer() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  local cmdpath values
  cmdpath="$(_vminer_path "\${(@)words[2,CURRENT-1]}")"
  values="$(_vminer_values "$cmdpath" "$prev")"
  if [[ "$values" == ":files" ]]; then
    _files
  elif [[ -n "$values" ]]; then
    compadd -- \${=values}
  elif [[ "$cur" == -* ]]; then
    compadd -- \${=$(_vminer_options "$cmdpath")}
  else
    compadd -- \${=$(_vminer_subcommands "$cmdpath")} \${=$(_vminer_args "$cmdpath")}
  fi
}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _vminer "$@"
else
  compdef _vminer vminer
fi
`;
}

const psList = (xs: readonly string[]): string =>
  `@(${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')})`;

function powershell(tree: CompletionNode[]): string {
  const nodes = tree
    .map(
      (n) =>
        `  '${n.path}' = @{ sub = ${psList(n.subcommands)}; opts = ${psList(n.options)}; args = ${psList(n.args)} }`,
    )
    .join('\n');
  const values = tree
    .flatMap((n) =>
      Object.entries(n.values).map(
        ([opt, vs]) => `  '${n.path}|${opt}' = ${vs ? psList(vs) : "@(':files')"}`,
      ),
    )
    .join('\n');
  return `# vminer completion for PowerShell. Load it in your profile:
#   vminer completion powershell | Out-String | Invoke-Expression
$vminerTree = @{
${nodes}
}
$vminerValues = @{
${values}
}
Register-ArgumentCompleter -Native -CommandName vminer, vminer.cmd -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
  if ($wordToComplete -ne '' -and $words.Count -gt 0) { $words = @($words | Select-Object -SkipLast 1) }
  $path = ''
  foreach ($w in $words) {
    if ($w -like '-*') { continue }
    if ($vminerTree[$path].sub -contains $w) { $path = ("$path $w").Trim() }
  }
  $prev = if ($words.Count -gt 0) { $words[-1] } else { '' }
  $candidates = $vminerValues["$path|$prev"]
  if ($candidates -and $candidates[0] -eq ':files') { return }
  if (-not $candidates) {
    $node = $vminerTree[$path]
    $candidates = if ($wordToComplete -like '-*') { $node.opts } else { @($node.sub) + @($node.args) }
  }
  $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`;
}

export function completionScript(shell: Shell, program: Command): string {
  const tree = completionTree(program);
  return shell === 'bash' ? bash(tree) : shell === 'zsh' ? zsh(tree) : powershell(tree);
}
