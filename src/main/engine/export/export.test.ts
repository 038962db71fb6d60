import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS } from '../../../shared/fields.js';
import type { QueryPlan } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { QueryService } from '../query/query-service.js';
import { csvCell, csvLine } from './csv.js';
import { exportFull, exportRows, exportTables } from './exporter.js';
import { batchesOf } from './rows.js';
import { metaOf } from './table.js';
import { EXCEL_MAX_ROWS } from './xlsx.js';

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF inside quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const TRICKY = {
  quotes: 'say "hello", world',
  newline: 'line one\r\nline two\nline three',
  unicode: 'Zürich — 東京 — 🚀',
  formula: '=HYPERLINK("http://evil.example","click")',
  plus: '+1-555-0100',
  at: '@SUM(A1:A2)',
};

let dir: string;
let opened: OpenedDatabase;
let vmCount: number;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-export-'));
  opened = openDatabase(path.join(dir, 'data'));
  populateCache(opened, {
    vcenters: 3,
    vmsTotal: 600,
    hostsTotal: 24,
    datastoresTotal: 9,
    seed: 11,
    failedVcenters: 1,
  });
  vmCount = (opened.sqlite.prepare('SELECT count(*) AS n FROM vms').get() as { n: number }).n;
  // Hand-made awkward values on real rows: quotes, line breaks, unicode and would-be formulas.
  const first = opened.sqlite
    .prepare('SELECT vcenter_id AS id, moid FROM vms ORDER BY name LIMIT 1')
    .get() as {
    id: number;
    moid: string;
  };
  opened.sqlite
    .prepare('UPDATE vms SET name = ?, annotation = ?, guest_host_name = ? WHERE vcenter_id = ? AND moid = ?')
    .run(
      `!${TRICKY.unicode}`,
      [TRICKY.quotes, TRICKY.newline].join(' | '),
      TRICKY.formula,
      first.id,
      first.moid,
    );
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const vcenters = () => new VcenterRepo(opened.db).list();

function out(name: string): string {
  const d = path.join(dir, 'out');
  fs.mkdirSync(d, { recursive: true });
  return path.join(d, name);
}

function leftovers(folder: string): string[] {
  return fs.readdirSync(folder).filter((f) => f.endsWith('.tmp'));
}

describe('csvCell', () => {
  it('quotes per RFC 4180 and neutralises formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', 1, true])).toBe('a,1,true\r\n');
  });
});

describe('XLSX', () => {
  it('full export: one sheet per entity, header, counts, typed cells, About', async () => {
    const file = out('full.xlsx');
    const res = await exportFull({ sqlite: opened.sqlite, vcenters: vcenters(), format: 'xlsx', out: file });
    expect(res.file).toBe(file);
    expect(res.tables['vms']).toBe(vmCount);
    expect(res.bytes).toBe(fs.statSync(file).size);
    expect(leftovers(path.dirname(file))).toEqual([]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'VMs',
      'Hosts',
      'Datastores',
      'Clusters',
      'Datacenters',
      'Networks',
      'Snapshots',
      'Disks',
      'NICs',
      'Partitions',
      'Tags',
      'vCenters',
      'About',
    ]);
    const vms = wb.getWorksheet('VMs')!;
    expect(vms.rowCount).toBe(vmCount + 1);
    const header = (vms.getRow(1).values as unknown[]).slice(1);
    expect(header).toHaveLength(Object.keys(FIELDS.vms).length);
    expect(header).toContain('Memory (MB)');
    expect(header).toContain('Boot time (UTC)');
    expect(vms.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(vms.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(vms.autoFilter).toBeTruthy();
    const col = (label: string): number => header.indexOf(label) + 1;
    for (let r = 2; r <= 20; r++) {
      const row = vms.getRow(r);
      expect(typeof row.getCell(col('vCPUs')).value).toBe('number');
      expect(typeof row.getCell(col('Memory (MB)')).value).toBe('number');
      expect(typeof row.getCell(col('Template')).value).toBe('boolean');
      const boot = row.getCell(col('Boot time (UTC)')).value;
      if (boot !== null) expect(boot).toBeInstanceOf(Date);
    }
    expect(vms.getColumn(col('Name')).width).toBeGreaterThan(10);
    // The would-be formula stays a string cell.
    const trickyRow = vms.getRow(2);
    expect(trickyRow.getCell(col('Name')).value).toBe(`!${TRICKY.unicode}`);
    expect(trickyRow.getCell(col('Guest host name')).value).toBe(TRICKY.formula);
    expect(trickyRow.getCell(col('Guest host name')).type).toBe(ExcelJS.ValueType.String);

    const snaps = wb.getWorksheet('Snapshots')!;
    expect(snaps.rowCount).toBe((res.tables['snapshots'] ?? 0) + 1);
    const vcs = wb.getWorksheet('vCenters')!;
    expect(vcs.rowCount).toBe(4);
    const vcHeader = (vcs.getRow(1).values as unknown[]).slice(1);
    const statuses = [2, 3, 4].map((r) => vcs.getRow(r).getCell(vcHeader.indexOf('Sync status') + 1).value);
    expect(statuses).toContain('failed');
    expect(vcs.getRow(2).getCell(vcHeader.indexOf('Last good sync (UTC)') + 1).value).toBeInstanceOf(Date);

    const about = wb.getWorksheet('About')!;
    const aboutText = JSON.stringify(about.getSheetValues());
    expect(aboutText).toContain('Failed vCenters');
    expect(aboutText).toContain(res.meta.failedVcenters[0]!);
    expect(res.meta.failedVcenters).toHaveLength(1);
  });

  it("a query's export: just its rows, with the shown columns", async () => {
    const engine = new QueryService({ sqlite: opened.sqlite, pageSize: 1 });
    const answer = engine.ask({ question: 'powered off vms' });
    expect(answer.plan).toBeDefined();
    const file = out('query.xlsx');
    const res = await exportRows({
      sqlite: opened.sqlite,
      plan: answer.plan!,
      columns: answer.columns,
      format: 'xlsx',
      out: file,
      freshness: answer.freshness,
      question: answer.question,
      interpretation: answer.interpretation,
    });
    expect(res.rows).toBe(answer.total);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['VMs', 'About']);
    const ws = wb.getWorksheet('VMs')!;
    expect(ws.rowCount).toBe(answer.total + 1);
    expect(ws.actualColumnCount).toBe(answer.columns.length);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const ps = header.indexOf('Power state') + 1;
    for (let r = 2; r <= ws.rowCount; r++) expect(ws.getRow(r).getCell(ps).value).toBe('poweredOff');
    expect(JSON.stringify(wb.getWorksheet('About')!.getSheetValues())).toContain('powered off vms');
  });

  it("never writes a sheet past Excel's row limit: the table goes on in further sheets, the About sheet says where", async () => {
    expect(EXCEL_MAX_ROWS).toBe(1_048_576);
    const file = out('continued.xlsx');
    // 250 rows a sheet (249 and the header): 600 VMs take three sheets, the sample of 200 rows too.
    const res = await exportRows({
      sqlite: opened.sqlite,
      plan: { entity: 'vms', sort: [{ field: 'name', dir: 'asc' }] },
      columns: ['name', 'memoryMb'],
      format: 'xlsx',
      out: file,
      xlsx: { maxRowsPerSheet: 250 },
    });
    expect(res.rows).toBe(vmCount);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['VMs', 'VMs (2)', 'VMs (3)', 'About']);
    const names: unknown[] = [];
    for (const name of ['VMs', 'VMs (2)', 'VMs (3)']) {
      const ws = wb.getWorksheet(name)!;
      expect(ws.rowCount, name).toBeLessThanOrEqual(250);
      expect(ws.getRow(1).getCell(1).value, name).toBe('Name');
      for (let r = 2; r <= ws.rowCount; r++) names.push(ws.getRow(r).getCell(1).value);
    }
    // Every row once, in order, none lost at a sheet boundary.
    const want = (
      opened.sqlite.prepare('SELECT name FROM vms ORDER BY name COLLATE NOCASE, vcenter_id, moid').all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(names).toEqual(want);
    const about = JSON.stringify(wb.getWorksheet('About')!.getSheetValues());
    expect(about).toContain(
      `rows 1–249 on \\"VMs\\", rows 250–498 on \\"VMs (2)\\", rows 499–${vmCount} on \\"VMs (3)\\"`,
    );
    expect(about).toContain('1,048,576');
  });

  it('a grouped question exports its groups', async () => {
    const plan: QueryPlan = { entity: 'vms', groupBy: 'cluster', aggregate: { fn: 'count' } };
    const res = await exportRows({ sqlite: opened.sqlite, plan, format: 'json', out: out('groups.json') });
    const doc = JSON.parse(fs.readFileSync(out('groups.json'), 'utf8')) as { rows: { value: number }[] };
    expect(doc.rows.length).toBe(res.rows);
    expect(doc.rows.reduce((a, r) => a + r.value, 0)).toBe(vmCount);
  });
});

describe('CSV', () => {
  it('parses back: header, rows, quotes, newlines, unicode, neutralised formulas, BOM, metadata file', async () => {
    const file = out('vms.csv');
    const columns = ['name', 'annotation', 'guestHostName', 'numCpu', 'template', 'bootTime'];
    const res = await exportRows({
      sqlite: opened.sqlite,
      plan: { entity: 'vms' },
      columns,
      format: 'csv',
      out: file,
      bom: true,
    });
    expect(res.rows).toBe(vmCount);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw.startsWith('\uFEFF')).toBe(true);
    const records = parseCsv(raw.slice(1));
    expect(records[0]).toEqual(['Name', 'Notes', 'Guest host name', 'vCPUs', 'Template', 'Boot time']);
    expect(records).toHaveLength(vmCount + 1);
    expect(records.every((r) => r.length === columns.length)).toBe(true);
    const tricky = records[1]!;
    expect(tricky[0]).toBe(`!${TRICKY.unicode}`);
    expect(tricky[1]).toBe([TRICKY.quotes, TRICKY.newline].join(' | '));
    expect(tricky[2]).toBe(`'${TRICKY.formula}`);
    expect(['true', 'false']).toContain(tricky[4]);
    expect(Number.isInteger(Number(records[2]![3]))).toBe(true);

    expect(res.metaFile).toBe(`${file}.meta.json`);
    const meta = JSON.parse(fs.readFileSync(res.metaFile!, 'utf8')) as {
      asOf: string;
      failedVcenters: string[];
      rows: Record<string, number>;
    };
    expect(meta.asOf).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(meta.failedVcenters).toHaveLength(1);
    expect(meta.rows['rows']).toBe(vmCount);
    expect(leftovers(path.dirname(file))).toEqual([]);
  });

  it('neutralises every formula trigger and leaves numbers alone', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const values = Object.values(TRICKY);
    const res = await exportTables({
      format: 'csv',
      out: sink,
      meta: metaOf({ asOf: null, failedVcenters: [], staleVcenters: [], neverSyncedVcenters: [] }, {}),
      tables: [
        {
          sheet: 'T',
          key: 'rows',
          columns: [
            { field: 'v', label: 'Value', type: 'text' },
            { field: 'n', label: 'N', type: 'number' },
          ],
          rows: batchesOf(values.map((v, i) => [v, -i])),
        },
      ],
    });
    const text = Buffer.concat(chunks).toString('utf8');
    expect(res.bytes).toBe(Buffer.byteLength(text));
    const records = parseCsv(text).slice(1);
    expect(records.map((r) => r[0])).toEqual(values.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
    expect(records.map((r) => r[1])).toEqual(values.map((_, i) => String(-i)));
  });
});

describe('JSON', () => {
  it('is {meta, rows}; parses back; a cut-off stream is not valid JSON', async () => {
    const file = out('vms.json');
    const plan: QueryPlan = {
      entity: 'vms',
      filter: { kind: 'cmp', field: 'template', op: 'eq', value: false },
    };
    const res = await exportRows({ sqlite: opened.sqlite, plan, format: 'json', out: file });
    const text = fs.readFileSync(file, 'utf8');
    const doc = JSON.parse(text) as {
      meta: { asOf: string; failedVcenters: string[]; rows: { rows: number } };
      rows: Record<string, unknown>[];
    };
    expect(doc.rows).toHaveLength(res.rows);
    expect(doc.meta.rows.rows).toBe(res.rows);
    expect(doc.meta.failedVcenters).toHaveLength(1);
    expect(doc.rows.every((r) => r['template'] === false)).toBe(true);
    expect(Object.keys(doc.rows[0]!)).toEqual(Object.keys(FIELDS.vms));
    expect(doc.rows.find((r) => r['name'] === `!${TRICKY.unicode}`)).toBeDefined();
    expect(text.trimEnd().endsWith(']}')).toBe(true);
    // Cut anywhere before the final `]}` (the trailing newline is not content).
    const body = text.trimEnd();
    for (const cut of [1, 2, 50, Math.floor(body.length / 2), body.length - 5]) {
      expect(() => JSON.parse(body.slice(0, body.length - cut))).toThrow();
    }
  });

  it('full JSON: one array per entity', async () => {
    const file = out('full.json');
    const res = await exportFull({ sqlite: opened.sqlite, vcenters: vcenters(), format: 'json', out: file });
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown[]>;
    expect(Object.keys(doc)).toEqual([
      'meta',
      'vms',
      'hosts',
      'datastores',
      'clusters',
      'datacenters',
      'networks',
      'snapshots',
      'disks',
      'nics',
      'partitions',
      'tags',
      'vcenters',
    ]);
    expect(doc['vms']).toHaveLength(vmCount);
    expect(doc['vcenters']).toHaveLength(3);
    expect(res.rows).toBe(Object.values(res.tables).reduce((a, b) => a + b, 0));
  });
});

describe('sharing the connection', () => {
  it('an export in progress neither blocks nor swallows other statements on the same connection', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const done = exportRows({ sqlite: opened.sqlite, plan: { entity: 'vms' }, format: 'json', out: stream });
    // Nobody reads yet: the export waits on back-pressure with its rows half read.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((opened.sqlite.prepare('SELECT count(*) AS n FROM vms').get() as { n: number }).n).toBe(vmCount);
    opened.sqlite.prepare("UPDATE vcenters SET version = 'during-export' WHERE id = 1").run();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const res = await done;
    expect(res.rows).toBe(vmCount);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8')).rows).toHaveLength(vmCount);
    const v = opened.sqlite.prepare('SELECT version FROM vcenters WHERE id = 1').get() as { version: string };
    expect(v.version).toBe('during-export');
  });
});

describe('failed writes', () => {
  it('a folder that does not exist: a clear error, nothing written', async () => {
    const file = path.join(dir, 'no-such-folder', 'x.xlsx');
    await expect(
      exportRows({ sqlite: opened.sqlite, plan: { entity: 'vms' }, format: 'xlsx', out: file }),
    ).rejects.toThrow(/cannot write .*x\.xlsx: the folder .*no-such-folder does not exist/);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('a path under a file: a clear error', async () => {
    const file = path.join(out('a-file.txt'), 'x.csv');
    fs.writeFileSync(path.dirname(file), 'x');
    await expect(
      exportRows({ sqlite: opened.sqlite, plan: { entity: 'vms' }, format: 'csv', out: file }),
    ).rejects.toThrow(/cannot write/);
  });

  it.skipIf(process.getuid?.() === 0)('a read-only folder: a clear error, no temp file', async () => {
    const ro = out('ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    try {
      await expect(
        exportRows({
          sqlite: opened.sqlite,
          plan: { entity: 'vms' },
          format: 'csv',
          out: path.join(ro, 'x.csv'),
        }),
      ).rejects.toThrow(/no permission to write/);
      expect(fs.readdirSync(ro)).toEqual([]);
    } finally {
      fs.chmodSync(ro, 0o755);
    }
  });

  it.each(['csv', 'json', 'xlsx'] as const)(
    '%s: a failure midway leaves no half file, no temp file and the old file untouched',
    async (format) => {
      const folder = out(`midway-${format}`);
      fs.mkdirSync(folder);
      const file = path.join(folder, `x.${format}`);
      fs.writeFileSync(file, 'previous export');
      function* rows(): Generator<unknown[]> {
        for (let i = 0; i < 5000; i++) yield [`vm-${i}`.repeat(20)];
        throw Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
      }
      await expect(
        exportTables({
          format,
          out: file,
          meta: metaOf({ asOf: null, failedVcenters: [], staleVcenters: [], neverSyncedVcenters: [] }, {}),
          tables: [
            {
              sheet: 'T',
              key: 'rows',
              columns: [{ field: 'name', label: 'Name', type: 'text' }],
              rows: batchesOf(rows()),
            },
          ],
        }),
      ).rejects.toThrow(/cannot write .*x\.\w+: the disk is full/);
      expect(fs.readdirSync(folder)).toEqual([`x.${format}`]);
      expect(fs.readFileSync(file, 'utf8')).toBe('previous export');
    },
  );

  it.each(['csv', 'json', 'xlsx'] as const)(
    '%s: a stream that fails (a full device) rejects instead of hanging',
    async (format) => {
      if (!fs.existsSync('/dev/full')) return;
      const stream = fs.createWriteStream('/dev/full');
      await expect(
        exportRows({ sqlite: opened.sqlite, plan: { entity: 'vms' }, format, out: stream }),
      ).rejects.toThrow(/ENOSPC|no space/);
      expect(opened.sqlite.inTransaction).toBe(false);
    },
  );

  it('the connection is usable afterwards (statements released, snapshot closed)', async () => {
    await expect(
      exportRows({
        sqlite: opened.sqlite,
        plan: { entity: 'vms' },
        format: 'xlsx',
        out: path.join(dir, 'nope', 'x.xlsx'),
      }),
    ).rejects.toThrow();
    expect(opened.sqlite.inTransaction).toBe(false);
    expect((opened.sqlite.prepare('SELECT count(*) AS n FROM vms').get() as { n: number }).n).toBe(vmCount);
  });
});
