/* A question about the change history exports like any other answer: CSV, JSON and XLSX. */
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { insertChanges, randomChanges } from '../../../testing/changes-seed.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { QueryService } from '../query/query-service.js';
import { exportRows } from './exporter.js';

const NOW = new Date();
let dir: string;
let opened: OpenedDatabase;
let qe: QueryService;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-changes-export-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 1, vmsTotal: 20, hostsTotal: 2, datastoresTotal: 1, seed: 1 });
  const vc = opened.sqlite.prepare('SELECT id, name FROM vcenters').get() as { id: number; name: string };
  insertChanges(
    opened.sqlite,
    randomChanges({ n: 400, now: NOW, days: 14, seed: 3, vcenters: 1, objects: 30 }).map((r) => ({
      ...r,
      vcenterId: vc.id,
      vcenter: vc.name,
      // A value a CSV must quote, and one a spreadsheet must not read as a formula.
      ...(r.field === 'tag backup' ? { newValue: '=cmd|"x", y' } : {}),
    })),
  );
  qe = new QueryService({ sqlite: opened.sqlite, now: () => NOW });
});
afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const question = 'what changed in the last 7 days';

describe('exporting a change question', () => {
  it('writes the same rows, newest first, as CSV, JSON and XLSX', async () => {
    const answer = qe.ask({ question });
    expect(answer.plan?.entity).toBe('changes');
    const want = opened.sqlite
      .prepare(
        "SELECT at || '|' || object_name || '|' || kind || '|' || COALESCE(field, '') FROM changes WHERE at >= ? ORDER BY at DESC, id DESC",
      )
      .pluck()
      .all(new Date(NOW.getTime() - 7 * 86_400_000).toISOString()) as string[];
    expect(answer.total).toBe(want.length);
    const common = {
      sqlite: opened.sqlite,
      plan: answer.plan!,
      freshness: answer.freshness,
      question,
      interpretation: answer.interpretation,
    };

    const json = path.join(dir, 'changes.json');
    const rj = await exportRows({ ...common, format: 'json', out: json });
    expect(rj.rows).toBe(want.length);
    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as {
      rows: { at: string; object: string; kind: string; field: string | null }[];
    };
    expect(doc.rows.map((r) => `${r.at}|${r.object}|${r.kind}|${r.field ?? ''}`)).toEqual(want);

    const csv = path.join(dir, 'changes.csv');
    const rc = await exportRows({ ...common, format: 'csv', out: csv, header: 'field' });
    expect(rc.rows).toBe(want.length);
    const lines = fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^at,vcenter,entity,object,kind,field,old,new,source/);
    expect(lines).toHaveLength(want.length + 1);
    // A new value that looks like a formula is quoted and neutralised.
    expect(lines.some((l) => l.includes(`,"'=cmd|""x"", y",`))).toBe(true);

    const xlsx = path.join(dir, 'changes.xlsx');
    const rx = await exportRows({ ...common, columns: answer.columns, format: 'xlsx', out: xlsx });
    expect(rx.rows).toBe(want.length);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Changes', 'About']);
    const ws = wb.getWorksheet('Changes')!;
    expect(ws.rowCount).toBe(want.length + 1);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      'When (UTC)',
      'vCenter',
      'Object type',
      'Object',
      'Change',
      'Field',
      'Old value',
      'New value',
      'Seen by',
    ]);
    expect(JSON.stringify(wb.getWorksheet('About')!.getSheetValues())).toContain(question);
  });
});
