/**
 * The `vminer` program: every command's name, options, help and examples. Only definitions live
 * here and in commands/; each command loads its code when it runs (see `lazy`), so `--help` and
 * the completion scripts cost commander and these modules, nothing more.
 */
import { Command, type OutputConfiguration } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerAskCommand } from './commands/ask.js';
import { registerChangesCommand } from './commands/changes.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerDbCommands } from './commands/db.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExportCommand } from './commands/export.js';
import { registerInventoryCommands } from './commands/inventory.js';
import { registerLiveCommand } from './commands/live.js';
import { registerSchedulerCommand } from './commands/scheduler.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSourceCommands } from './commands/source.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerUserCommands } from './commands/user.js';
import { registerVcenterCommands } from './commands/vcenter.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { examples } from './options.js';

/** The environment variables vMiner reads, as `vminer --help` lists them. */
export const ENVIRONMENT_HELP = `Environment:
  VMINER_DATA_DIR        the data folder (--data-dir wins)
  VMINER_HOST            serve: the address to bind (--host wins; default 127.0.0.1)
  VMINER_PORT            serve: the TCP port (--port wins; default 8000)
  VMINER_LOG_LEVEL       serve: debug, info, warn or error (--log-level wins; default info)
  VMINER_ADMIN_PASSWORD  serve: the "admin" user's password on the first start (no users yet)
  VMINER_ALLOWED_HOSTS   serve: host names besides localhost a loopback listener answers to
  VMINER_TRUST_PROXY     serve: proxies whose X-Forwarded-For names the client
  VMINER_PAGE_WORKERS    serve: worker threads building list pages (0: none; default one per core, at most 4)
  VMINER_SECRET_KEY      the credential vault's key where no OS keychain is available (64 hex
                         characters, base64 of 32 bytes, or a long passphrase)
  VMINER_MIGRATIONS_DIR  the database migrations (drizzle/) when they are not beside the program
  VMINER_DATABASE_URL    db migrate, db copy: the PostgreSQL database (--database / --to win)
  PGPASSWORD             that database's password (or ~/.pgpass); never put it in the URL
  VMINER_PG_MIGRATIONS_DIR  the PostgreSQL migrations (drizzle-pg/) when they are not beside the program
  VMINER_NODE_FLAGS_APPLIED  set by vminer itself when serve, sync, export or live re-started
                         with its Node flags (set it to 1 to keep the process as started)`;

export function buildProgram(version: string, output: Partial<OutputConfiguration> = {}): Command {
  const program = new Command('vminer')
    .description('vMiner: the inventory of every vCenter, cached, queryable and exportable')
    // Before the commands: they inherit how errors are written and that they do not exit.
    .configureOutput(output)
    .exitOverride()
    .version(version)
    .showHelpAfterError('(add --help for usage)');
  examples(program, [
    'vminer vcenter add vc01 --url vc01.corp --user svc-ro@vsphere.local --trust-presented-cert',
    'vminer sync',
    'vminer list vms --where powerState=poweredOff --sort memoryMb:desc --columns name,host,memoryMb',
    'vminer ask "powered off vms in cluster prod"',
    'vminer export --format xlsx --out estate.xlsx',
    'vminer completion bash > /etc/bash_completion.d/vminer',
  ]);
  program.addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);
  registerVcenterCommands(program);
  registerAccountCommands(program);
  registerSourceCommands(program);
  registerSyncCommand(program);
  registerInventoryCommands(program);
  registerAskCommand(program);
  registerChangesCommand(program);
  registerExportCommand(program);
  registerSchedulerCommand(program);
  registerLiveCommand(program);
  registerServeCommand(program);
  registerUserCommands(program);
  registerDoctorCommand(program);
  registerDbCommands(program);
  registerCompletionCommand(program);
  return program;
}
