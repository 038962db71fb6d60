import type { Command } from 'commander';
import { examples, lazy, withDataDir, withJson, withTable } from '../options.js';

const actions = () => import('../actions/vcenter.js');

export function registerVcenterCommands(program: Command): void {
  const vc = program.command('vcenter').description('register, inspect and remove vCenter servers');
  examples(vc, [
    'vminer vcenter probe https://vc01.corp/sdk',
    'vminer vcenter add vc01 --url vc01.corp --user svc-ro@vsphere.local --trust-presented-cert',
    'vminer vcenter list --csv > vcenters.csv',
  ]);

  examples(withJson(withDataDir(vc.command('probe <url>'))), [
    'vminer vcenter probe https://vc01.corp/sdk',
    'vminer vcenter probe vc01.corp --ca-file vmca-root.pem --json',
  ])
    .description('show what a vCenter presents before trusting it: product, version and certificate')
    .option('--ca-file <pem>', 'also check the certificate against this private CA (e.g. VMCA)')
    .action(lazy(actions, 'probe'));

  examples(withJson(withDataDir(vc.command('add <name>'))), [
    'vminer vcenter add vc01 --url https://vc01.corp/sdk --user svc-ro@vsphere.local --trust-presented-cert',
    'echo "$PW" | vminer vcenter add vc02 --url vc02.corp --user svc-ro --password-stdin --thumbprint "$(cat vc02.sha256)"',
    'vminer vcenter add vc07 --url vc07.corp --service-account --ca-file vmca-root.pem',
  ])
    .description(
      'register a vCenter (read-only account is enough); the password goes to the credential vault',
    )
    .requiredOption('--url <url>', 'https://HOST[:PORT]/sdk')
    .option('--user <user>', 'its own account, e.g. svc-vminer@vsphere.local')
    .option('--service-account [name]', 'log in with a shared service account (default: the default account)')
    .option('--site <site>', 'site or location, for grouping')
    .option('--tags <list>', 'comma-separated tags')
    .option('--password-stdin', 'read the password from standard input')
    .option('--thumbprint <sha256>', 'pin this SHA-256 certificate thumbprint (openssl format or plain hex)')
    .option('--trust-presented-cert', 'pin the certificate the vCenter presents now (see `vcenter probe`)')
    .option('--ca-file <pem>', 'trust certificates issued by this private CA (e.g. VMCA root)')
    .option('--skip-check', 'save without connecting to the vCenter first')
    .action(lazy(actions, 'add'));

  examples(withTable(withDataDir(vc.command('list'))), [
    'vminer vcenter list',
    'vminer vcenter list --json | jq -r \'.[] | select(.sync.status=="failed") | .name\'',
  ])
    .description('list registered vCenters with their sync state')
    .action(lazy(actions, 'list'));

  examples(withTable(withDataDir(vc.command('import <file>'))), [
    'vminer vcenter import vcenters.xlsx',
    'vminer vcenter import vcenters.csv --apply',
  ])
    .description(
      'import vCenters from a CSV or XLSX file (columns name, host, port, optional username, site, tags): shows what would be added, updated or skipped; --apply imports all of it or nothing',
    )
    .option('--apply', 'import now (without it, only the preview is shown)')
    .action(lazy(actions, 'importFile'));

  examples(withTable(withDataDir(vc.command('trust [names...]'))), [
    'vminer vcenter trust',
    'vminer vcenter trust --accept',
    'vminer vcenter trust vc03 vc04 --accept',
  ])
    .description(
      'review certificates in bulk: every new vCenter (from an import or a source) and every "certificate changed" one, with the thumbprint it presents; --accept pins them all together',
    )
    .option('--accept', 'pin each new or changed thumbprint shown (one step for all)')
    .action(lazy(actions, 'trust'));

  examples(withDataDir(vc.command('remove <name>')), ['vminer vcenter remove vc02'])
    .description('remove a vCenter, its cached inventory and its stored password')
    .action(lazy(actions, 'remove'));

  examples(withDataDir(vc.command('set-password <name>')), [
    'vminer vcenter set-password vc01',
    'echo "$PW" | vminer vcenter set-password vc01 --password-stdin',
  ])
    .description("replace a vCenter's stored password")
    .option('--password-stdin', 'read the password from standard input')
    .action(lazy(actions, 'setPassword'));
}
