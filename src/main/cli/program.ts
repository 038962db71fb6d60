import { Command } from 'commander';
import { registerAskCommand } from './ask-command.js';
import { registerExportCommand } from './export-command.js';
import { registerInventoryCommands } from './inventory-commands.js';
import { registerLiveCommand } from './live-command.js';
import { registerSchedulerCommand } from './scheduler-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSyncCommand } from './sync-command.js';
import { registerUserCommands } from './user-command.js';
import { registerVcenterCommands } from './vcenter-commands.js';

export function buildProgram(version: string): Command {
  const program = new Command('vminer')
    .description('vMiner: the inventory of every vCenter, cached, queryable and exportable')
    .version(version)
    .showHelpAfterError('(add --help for usage)');
  registerVcenterCommands(program);
  registerSyncCommand(program);
  registerInventoryCommands(program);
  registerAskCommand(program);
  registerExportCommand(program);
  registerSchedulerCommand(program);
  registerLiveCommand(program);
  registerServeCommand(program);
  registerUserCommands(program);
  return program;
}
