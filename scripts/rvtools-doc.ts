/**
 * Writes docs/rvtools-columns.md from the RVTools-layout export's own column model
 * (src/main/engine/export/rvtools): every sheet, every header in RVTools' order, and where vMiner
 * takes the value from — or why the column is empty. A test fails when the committed page is stale.
 *
 *   npm run docs:rvtools    tsx scripts/rvtools-doc.ts [--check]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rvtoolsSheets } from '../src/main/engine/export/rvtools/rvtools-export.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RVTOOLS_DOC = path.join(ROOT, 'docs', 'rvtools-columns.md');

const INTRO = `# The RVTools layout, column by column

Generated from the export's column model (\`src/main/engine/export/rvtools/\`) by
\`npm run docs:rvtools\`; do not edit by hand.

\`vminer export --format rvtools\`, the desktop app's *Export in RVTools layout…* and
\`POST /api/export/rvtools\` write one workbook with the sheets and headers of RVTools 4.x, so that
tools which read RVTools exports (migration planners, capacity and storage sizing tools, CMDB
importers) accept it. The reference is RVTools' own documentation (the *RVTools* user guide that
ships with RVTools 4.x, Dell Technologies, formerly Robware: one chapter per tab page, each listing
its columns) and the header lists of public tools that read RVTools workbooks; the export's tests
compare the headers with those lists (\`rvtools-export.test.ts\`) and the values with pyvmomi's
reading of the simulators (\`rvtools.integration.test.ts\`).

How vMiner fills the columns:

- **Order and spelling**: RVTools' headers, in RVTools' order, one sheet per RVTools tab page
  (only the tabs listed here; RVTools' other tabs — vCD, vUSB, vRP, vHBA, vPort, vSC_VMK,
  vMultiPath, vLicense, vFileInfo, vHealth, vSource — are not written).
- **Units**: sizes in MiB (bytes ÷ 1,048,576, rounded) where RVTools labels a column *MiB* or
  *MB*; memory as vSphere states it in MB; CPU speeds in MHz; percentages as numbers.
- **Values**: vSphere's own spellings (\`poweredOn\`, \`connected\`, \`guestToolsRunning\`,
  \`persistent\`, \`efi\`), booleans as \`True\` / \`False\`, dates as date cells (UTC).
- **Every data row** ends with \`VI SDK Server\` (the host name of the vCenter's URL) and
  \`VI SDK UUID\` (the vCenter's \`about.instanceUuid\`).
- **Custom attributes** become one column each, after \`Annotation\`, named by the attribute
  (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork, vSnapshot, vTools; host attributes in vHost).
- **Columns vMiner does not read are present and empty** — never guessed or filled with a
  default. Most are usage figures (quick stats) that change every few seconds: vMiner caches
  configuration and state, which live updates keep current, not performance counters.
`;

/** The page: per sheet, a table of header → source. */
export function rvtoolsDoc(): string {
  const sheets = rvtoolsSheets(['‹custom attribute›'], ['‹custom attribute›']);
  const parts = [INTRO];
  for (const s of sheets) {
    const filled = s.columns.filter((c) => c.get).length;
    parts.push(
      `## ${s.name}`,
      '',
      `${s.columns.length} columns, ${filled} filled by vMiner, ${s.columns.length - filled} empty.`,
      '',
      '| # | RVTools header | vMiner value |',
      '|---:|---|---|',
      ...s.columns.map(
        (c, i) =>
          `| ${i + 1} | ${c.header.replace(/\|/g, '\\|')} | ${c.source.replace(/\|/g, '\\|').replace(/^empty: /, '*empty*: ')} |`,
      ),
      '',
    );
  }
  return parts.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const fresh = rvtoolsDoc();
  if (process.argv.includes('--check')) {
    if (!fs.existsSync(RVTOOLS_DOC) || fs.readFileSync(RVTOOLS_DOC, 'utf8') !== fresh) {
      process.stderr.write('docs/rvtools-columns.md is stale: run `npm run docs:rvtools`\n');
      process.exitCode = 1;
    }
  } else fs.writeFileSync(RVTOOLS_DOC, fresh);
}
