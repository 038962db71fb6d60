import { Argument, type Command } from 'commander';
import { examples, lazy } from '../options.js';

export function registerCompletionCommand(program: Command): void {
  examples(program.command('completion'), [
    'source <(vminer completion bash)            # in ~/.bashrc',
    'vminer completion bash > /etc/bash_completion.d/vminer',
    'source <(vminer completion zsh)             # in ~/.zshrc, after compinit',
    'vminer completion powershell | Out-String | Invoke-Expression   # in $PROFILE',
  ])
    .addArgument(new Argument('<shell>', 'bash, zsh or powershell').choices(['bash', 'zsh', 'powershell']))
    .description(
      'print the shell completion script for bash, zsh or PowerShell (commands, options and their values)',
    )
    .action(lazy(() => import('../actions/completion.js'), 'completion'));
}
