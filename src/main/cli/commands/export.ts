import type { Command } from 'commander';
import { FILE_FORMATS } from '../../../shared/export-formats.js';
import { QUERY_ENTITIES } from '../../../shared/fields.js';
import { examples, lazy, withDataDir, withJson } from '../options.js';
import { WHERE_HELP } from './inventory.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerExportCommand(program: Command): void {
  examples(withJson(withDataDir(program.command('export'))), [
    'vminer export --format xlsx --out estate.xlsx',
    'vminer export --format rvtools --out rvtools.xlsx',
    "vminer export --entity vms --where powerState=poweredOff --where 'memoryMb>=16384' --sort memoryMb:desc --columns name,host,memoryMb --out big-off.csv",
    'vminer export --query "powered off vms in cluster prod" --out off.xlsx',
    'vminer export --entity hosts --format csv --out - | head',
  ])
    .description(
      'export the cached inventory to a file: a full workbook (one sheet per entity), one entity, or the answer to a question',
    )
    .requiredOption(
      '--out <file>',
      'the file to write (written to a temp file, renamed into place when complete); - writes to standard output',
    )
    .option(
      '--format <format>',
      `${FILE_FORMATS.join(' | ')} (default: from the --out extension); rvtools: the whole estate in RVTools' layout (.xlsx)`,
    )
    .option('--entity <entity>', `export one entity: ${QUERY_ENTITIES.join(', ')}`)
    .option('--query <question>', 'export the answer to a question, e.g. "powered off vms in cluster Prod"')
    .option('--where <filter>', `with --entity or --query: ${WHERE_HELP}`, collect)
    .option('--sort <fields>', 'with --entity or --query: sort by these fields, e.g. memoryMb:desc,name')
    .option(
      '--columns <fields>',
      'comma-separated field names (default: all fields, or the columns an answer shows)',
    )
    .option('--limit <n>', 'with --entity or --query: at most this many rows')
    .option('--bom', 'CSV: start with a UTF-8 byte-order mark (for Excel)')
    .option('--field-names', 'CSV: field names (memoryMb) instead of labels (Memory (MB)) in the header')
    .addHelpText(
      'after',
      '\nWith neither --entity nor --query: the whole inventory, as xlsx (one sheet per entity) or json, or with\n' +
        "--format rvtools as one workbook in RVTools' layout (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork,\n" +
        'vSnapshot, vTools, vCluster, vHost, vNIC, vSwitch, dvSwitch, dvPort, vDatastore, vMetaData).\n' +
        'Every export records its "as of" time and the failed or stale vCenters: JSON in "meta", XLSX in an\n' +
        '"About" sheet, CSV in <file>.meta.json beside the file. A sheet holds at most 1,048,576 rows (Excel\'s\n' +
        'limit): longer tables continue on further sheets, and the About sheet says so.',
    )
    .action(lazy(() => import('../actions/export.js'), 'exportInventory'));
}
