import { openTestEngine } from '../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type Handlers } from '../../shared/contract.js';
import { createHandlers } from './api.js';
import { openDatabase } from './db/database.js';
import { populateCache } from '../../testing/generate-inventory.js';
import { Engine } from './engine.js';

let dir: string;
/** Exports go beside the data folder, never into it. */
let outDir: string;
let engine: Engine;
let h: Handlers;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-api-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-api-out-'));
  const opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 400, hostsTotal: 20, datastoresTotal: 10, seed: 3 });
  opened.close();
  engine = await openTestEngine(dir, { owner: 'api test' });
  h = createHandlers(engine);
});

afterAll(async () => {
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

const exp = (a: unknown): Parameters<Handlers['export.toFile']>[0] => CONTRACT['export.toFile'].args.parse(a);

describe('export.toFile', () => {
  it('is never reachable over HTTP (it takes a local path)', () => {
    expect(CONTRACT['export.toFile'].http).toBe(false);
  });

  it('refuses a target inside the data folder: an export never replaces the cache', async () => {
    for (const out of [path.join(dir, 'vminer.db'), path.join(dir, 'logs', 'estate.json')]) {
      await expect(h['export.toFile'](exp({ path: out, format: 'json' }))).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/inside the vMiner data folder/),
      });
    }
    expect(fs.readFileSync(path.join(dir, 'vminer.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('writes a question as CSV, only when complete, with the rows the question selects', async () => {
    const out = path.join(outDir, 'off.csv');
    const r = await h['export.toFile'](
      exp({
        path: out,
        format: 'csv',
        query: 'powered off vms',
        columns: ['name', 'powerState'],
      }),
    );
    expect(r.path).toBe(out);
    const lines = fs.readFileSync(out, 'utf8').trim().split(/\r?\n/);
    const expected = engine.database.sqlite
      .prepare("SELECT count(*) AS n FROM vms WHERE power_state = 'poweredOff'")
      .get() as { n: number };
    expect(r.rows).toBe(expected.n);
    expect(lines.length).toBe(expected.n + 1);
    expect(lines.slice(1).every((l) => l.endsWith('poweredOff'))).toBe(true);
    expect(fs.readdirSync(outDir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('writes the whole estate as a workbook with one sheet per entity', async () => {
    const out = path.join(outDir, 'estate.xlsx');
    const r = await h['export.toFile'](exp({ path: out, format: 'xlsx' }));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['VMs', 'Hosts', 'Datastores', 'vCenters']));
    expect(wb.getWorksheet('VMs')!.rowCount).toBe(401);
    expect(r.rows).toBeGreaterThan(400);
  });

  it('refuses relative paths, a whole-estate CSV, unknown columns and questions it cannot read', async () => {
    await expect(h['export.toFile'](exp({ path: 'x.csv', format: 'csv', entity: 'vms' }))).rejects.toThrow(
      /absolute/,
    );
    await expect(
      h['export.toFile'](exp({ path: path.join(outDir, 'a.csv'), format: 'csv' })),
    ).rejects.toThrow(/one table/);
    await expect(
      h['export.toFile'](
        exp({
          path: path.join(outDir, 'b.csv'),
          format: 'csv',
          entity: 'vms',
          columns: ['nope'],
        }),
      ),
    ).rejects.toThrow(/unknown columns/);
    await expect(
      h['export.toFile'](exp({ path: path.join(outDir, 'c.csv'), format: 'csv', query: 'zzkq wibble' })),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(fs.existsSync(path.join(outDir, 'a.csv'))).toBe(false);
  });
});

describe('settings.update', () => {
  it('turns the schedule on and off (the timer, not only the stored flag) and keeps the timing', async () => {
    const on = await h['settings.update'](
      CONTRACT['settings.update'].args.parse({
        scheduler: { enabled: true, intervalMinutes: 15, cron: null },
      }),
    );
    expect(on.scheduler).toMatchObject({ enabled: true, intervalMinutes: 15 });
    expect(engine.scheduler.state().nextRunAt).not.toBeNull();
    await h['settings.update'](
      CONTRACT['settings.update'].args.parse({
        scheduler: { enabled: false, intervalMinutes: 15, cron: null },
      }),
    );
    const st = await h['scheduler.state']({});
    expect(st).toMatchObject({ enabled: false, nextRunAt: null, intervalMinutes: 15 });
  });

  it('changes only what a patch names, nested settings field by field', async () => {
    const set = (patch: unknown): ReturnType<Handlers['settings.update']> =>
      h['settings.update'](CONTRACT['settings.update'].args.parse(patch));
    await set({
      updateMode: 'both',
      syncWorkers: 7,
      rest: { enabled: false, host: '127.0.0.2', port: 8123 },
      scheduler: { enabled: false, intervalMinutes: 45, cron: null },
    });
    const paused = await set({ paused: true });
    expect(paused).toMatchObject({ paused: true, updateMode: 'both', syncWorkers: 7 });
    expect(paused.rest).toEqual({ enabled: false, host: '127.0.0.2', port: 8123 });
    expect(paused.scheduler).toMatchObject({ intervalMinutes: 45 });
    const moved = await set({ rest: { port: 8124 }, scheduler: { cron: '0 3 * * *' } });
    expect(moved.rest).toEqual({ enabled: false, host: '127.0.0.2', port: 8124 });
    expect(moved.scheduler).toMatchObject({ enabled: false, intervalMinutes: 45, cron: '0 3 * * *' });
    expect(moved).toMatchObject({ paused: true, updateMode: 'both', syncWorkers: 7 });
    await set({
      paused: false,
      updateMode: 'live',
      syncWorkers: 10,
      rest: { host: '127.0.0.1', port: 8000 },
      scheduler: { intervalMinutes: 60, cron: null },
    });
  });

  it('validates what it stores and keeps the REST listener off by default', async () => {
    const s = await h['settings.get']({});
    expect(s.rest).toEqual({ enabled: false, host: '127.0.0.1', port: 8000 });
    expect(() =>
      CONTRACT['settings.update'].args.parse({ rest: { enabled: true, host: '127.0.0.1', port: 70000 } }),
    ).toThrow();
  });
});
