// Export progress on a real SQLite file: 50k VMs, every format, the bounded rate and failures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportRowsProgress } from '../../../shared/contract.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { exportFull, exportRows } from './exporter.js';
import { ProgressMeter } from './progress.js';

const VMS = 50_000;
let dir: string;
let opened: OpenedDatabase;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-export-progress-'));
  opened = openDatabase(path.join(dir, 'data'));
  populateCache(opened, { vcenters: 5, vmsTotal: VMS, hostsTotal: 250, datastoresTotal: 50, seed: 7 });
});

afterAll(() => {
  opened.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** In order, within the total, starting at 0 and ending at the exported count. */
function expectWellFormed(events: ExportRowsProgress[], rows: number, total: number): void {
  expect(events[0]).toEqual({ rows: 0, total });
  expect(events.at(-1)).toEqual({ rows, total });
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.rows).toBeGreaterThanOrEqual(events[i - 1]!.rows);
    expect(events[i]!.total).toBe(total);
  }
  for (const e of events) expect(e.rows).toBeLessThanOrEqual(total);
}

const filesIn = (d: string): string[] => fs.readdirSync(d);

describe('export progress', () => {
  it('reports 50k VMs to CSV in order, within the total, at a bounded rate (default pace)', async () => {
    const events: ExportRowsProgress[] = [];
    const out = path.join(dir, 'vms.csv');
    const r = await exportRows({
      sqlite: opened.sqlite,
      plan: { entity: 'vms' },
      format: 'csv',
      out,
      onProgress: (p) => events.push(p),
    });
    expect(r.rows).toBe(VMS);
    expectWellFormed(events, VMS, VMS);
    // At most one report per 1000 rows, plus the first and the last, however fast the machine.
    expect(events.length).toBeLessThanOrEqual(VMS / 1000 + 2);
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it("reports from the writers' batches, never per row (row gate alone: 50k rows → ≈ 50 reports)", async () => {
    for (const format of ['csv', 'json', 'xlsx'] as const) {
      const events: ExportRowsProgress[] = [];
      const r = await exportRows({
        sqlite: opened.sqlite,
        plan: { entity: 'vms' },
        format,
        out: path.join(dir, `paced.${format}`),
        onProgress: (p) => events.push(p),
        progressPace: { everyRows: 1000, everyMs: 0 },
      });
      expect(r.rows).toBe(VMS);
      expectWellFormed(events, VMS, VMS);
      expect(events.length, format).toBeLessThanOrEqual(VMS / 1000 + 2);
      // Intermediate reports do arrive (CSV/JSON batches are 64 KB, XLSX reports every 500 rows).
      expect(events.length, format).toBeGreaterThanOrEqual(40);
    }
  });

  it('counts a filtered question up front: the total is the rows the plan selects', async () => {
    const events: ExportRowsProgress[] = [];
    const r = await exportRows({
      sqlite: opened.sqlite,
      plan: {
        entity: 'vms',
        filter: { kind: 'text', field: 'powerState', op: 'equals', value: 'poweredOff' },
      },
      format: 'csv',
      out: path.join(dir, 'off.csv'),
      onProgress: (p) => events.push(p),
    });
    expect(r.rows).toBeGreaterThan(0);
    expect(r.rows).toBeLessThan(VMS);
    expectWellFormed(events, r.rows, r.rows);
  });

  it('counts every sheet of a full export into one total, rows running on across sheets', async () => {
    const events: ExportRowsProgress[] = [];
    const r = await exportFull({
      sqlite: opened.sqlite,
      vcenters: new VcenterRepo(opened.db).list(),
      format: 'json',
      out: path.join(dir, 'full.json'),
      onProgress: (p) => events.push(p),
      progressPace: { everyRows: 1000, everyMs: 0 },
    });
    expect(r.rows).toBeGreaterThan(VMS);
    expectWellFormed(events, r.rows, r.rows);
    expect(events.length).toBeLessThanOrEqual(r.rows / 1000 + 2);
  });

  it('sends no last report when the write fails, and leaves no file (target is a folder)', async () => {
    const target = path.join(dir, 'a-folder.csv');
    fs.mkdirSync(target);
    const events: ExportRowsProgress[] = [];
    await expect(
      exportRows({
        sqlite: opened.sqlite,
        plan: { entity: 'vms' },
        format: 'csv',
        out: target,
        onProgress: (p) => events.push(p),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(events.every((e) => e.rows < VMS)).toBe(true);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(filesIn(target)).toEqual([]);
  });

  it('fails late in the export (the rename) without a partial file or temp file left behind', async () => {
    const folder = fs.mkdtempSync(path.join(dir, 'mid-'));
    const target = path.join(folder, 'vms.xlsx');
    const events: ExportRowsProgress[] = [];
    await expect(
      exportRows({
        sqlite: opened.sqlite,
        plan: { entity: 'vms' },
        format: 'xlsx',
        out: target,
        onProgress: (p) => {
          events.push(p);
          // Something takes the target's name while the export writes: the rename must fail.
          if (p.rows > 0 && !fs.existsSync(target)) fs.mkdirSync(target);
        },
        progressPace: { everyRows: 1000, everyMs: 0 },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(events.some((e) => e.rows > 0)).toBe(true);
    // Every row reached the sheet (the report from the writer), but the closing report never came.
    expect(events.filter((e) => e.rows === VMS)).toHaveLength(1);
    // Only the folder that took the name: no workbook, no temp file.
    expect(filesIn(folder)).toEqual(['vms.xlsx']);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });

  it('does not fail the export when a progress listener throws', async () => {
    const r = await exportRows({
      sqlite: opened.sqlite,
      plan: { entity: 'hosts' },
      format: 'csv',
      out: path.join(dir, 'hosts.csv'),
      onProgress: () => {
        throw new Error('the port is closed');
      },
    });
    expect(r.rows).toBe(250);
  });
});

describe('ProgressMeter', () => {
  it('needs both enough rows and enough time between reports', () => {
    let now = 0;
    const seen: ExportRowsProgress[] = [];
    const m = new ProgressMeter((p) => seen.push(p), 10_000, {
      everyRows: 100,
      everyMs: 250,
      now: () => now,
    });
    m.start();
    m.at(500); // enough rows, no time passed
    now = 300;
    m.at(550); // both: sent
    now = 1000;
    m.at(600); // time but only 50 rows
    m.at(700); // both
    m.tableDone(700);
    now = 2000;
    m.at(200); // 900 overall: both
    m.done(900);
    expect(seen).toEqual([
      { rows: 0, total: 10_000 },
      { rows: 550, total: 10_000 },
      { rows: 700, total: 10_000 },
      { rows: 900, total: 10_000 },
      { rows: 900, total: 10_000 },
    ]);
  });

  it('never reports more rows than the total', () => {
    const seen: ExportRowsProgress[] = [];
    const m = new ProgressMeter((p) => seen.push(p), 5);
    m.done(7);
    expect(seen).toEqual([{ rows: 7, total: 7 }]);
  });
});
