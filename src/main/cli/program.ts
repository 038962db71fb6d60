import { Command } from 'commander';
import { registerAccountCommands } from './account-commands.js';
import { registerAskCommand } from './ask-command.js';
import { registerDbCommands } from './db-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerExportCommand } from './export-command.js';
import { registerInventoryCommands } from './inventory-commands.js';
import { registerLiveCommand } from './live-command.js';
import { registerSchedulerCommand } from './scheduler-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSourceCommands } from './source-commands.js';
import { registerSyncCommand } from './sync-command.js';
import { registerUserCommands } from './user-command.js';
import { registerVcenterCommands } from './vcenter-commands.js';

export function buildProgram(version: string): Command {
  const program = new Command('vminer')
    .description('vMiner: the inventory of every vCenter, cached, queryable and exportable')
    .version(version)
    .showHelpAfterError('(add --help for usage)');
  registerVcenterCommands(program);
  registerAccountCommands(program);
  registerSourceCommands(program);
  registerSyncCommand(program);
  registerInventoryCommands(program);
  registerAskCommand(program);
  registerExportCommand(program);
  registerSchedulerCommand(program);
  registerLiveCommand(program);
  registerServeCommand(program);
  registerUserCommands(program);
  registerDoctorCommand(program);
  registerDbCommands(program);
  return program;
}
