/**
 * Exports on PostgreSQL (issue 18): a generated cache (three vCenters with disks, NICs, partitions,
 * custom attributes, host NICs and switches, awkward text, NULLs) is copied into a real
 * PostgreSQL, and every kind of export is written from both back ends: a question's rows, a
 * grouped question, a grid's columns, the full inventory and the RVTools workbook, as CSV, JSON
 * and XLSX. The files must be the same, byte for byte. Then what only a long read on a shared
 * server shows: a write committed while an export streams is not in it (one snapshot, counts and
 * rows agreeing), and an export that fails half-way (a full disk) leaves no cursor or connection
 * behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryPlan } from '../../../shared/query.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import {
  connectAdmin,
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  teamCopyOf,
} from '../../../testing/postgres.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { PgQueryBackend } from '../query/pg-backend.js';
import { QueryService } from '../query/query-service.js';
import { exportFull, exportRows } from './exporter.js';
import { exportRvtools } from './rvtools/rvtools-export.js';
import type { ExportSource } from './snapshot.js';

const PW = 'Export-Pg-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';
const NOW = new Date('2026-12-06T08:00:00Z');

let dir: string;
let opened: OpenedDatabase;
let server: RunningPostgres;
let backend: PgQueryBackend;
let sqlite: ExportSource;
let postgres: ExportSource;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-export-pg-'));
  opened = openDatabase(path.join(dir, 'data'));
  populateCache(opened, {
    vcenters: 3,
    vmsTotal: 2400,
    hostsTotal: 18,
    datastoresTotal: 8,
    seed: 11,
    failedVcenters: 1,
  });
  opened.sqlite.exec('UPDATE vms SET cluster = NULL WHERE rowid % 5 = 0');
  opened.sqlite.exec('UPDATE vms SET memory_mb = NULL WHERE rowid % 7 = 0');
  opened.sqlite.exec(`UPDATE vms SET annotation = 'quote " comma, new
line é 😀' WHERE rowid % 9 = 0`);
  opened.sqlite.exec('UPDATE vms SET template = 1 WHERE rowid % 13 = 0');
  sqlite = { sqlite: opened.sqlite };
  if (NO_PG) return;
  server = await startPostgres(PW);
  const target = await teamCopyOf(server, 'exports', path.join(dir, 'data'));
  backend = PgQueryBackend.connect(target);
  postgres = { postgres: backend };
}, 180_000);

afterAll(async () => {
  await backend?.close();
  await server?.stop();
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);
const vcenters = () => new VcenterRepo(opened.db).list();

/** The same file written from each back end. */
function same(a: string, b: string): void {
  const x = fs.readFileSync(a);
  const y = fs.readFileSync(b);
  expect(y.length).toBe(x.length);
  expect(y.equals(x)).toBe(true);
}

/** Questions as an engineer types them, planned by the query engine (the plan is what exports take). */
const QUESTIONS: [string, string[]?][] = [
  ['all vms'],
  [
    'powered on vms with more than 4 gb of memory sorted by memory',
    ['name', 'memoryMb', 'cluster', 'annotation'],
  ],
  ['vms per cluster'],
  ['thin disks'],
  ['hosts sorted by name'],
  ['top 25 datastores by free space'],
  ['vms with a snapshot'],
];

function planOf(question: string): QueryPlan {
  const plan = new QueryService({ sqlite: opened.sqlite }).parse(question).plan;
  if (!plan) throw new Error(`no plan for "${question}"`);
  return plan;
}

describe.skipIf(NO_PG !== '')(`exports on PostgreSQL${NO_PG}`, { timeout: 120_000 }, () => {
  it.each(QUESTIONS)('"%s": the same CSV, JSON and XLSX from both back ends', async (question, columns) => {
    const slug = question.replace(/\W+/g, '-');
    const plan = planOf(question);
    for (const format of ['csv', 'json', 'xlsx'] as const) {
      const common = { plan, format, now: NOW, ...(columns ? { columns } : {}) };
      const a = await exportRows({ ...sqlite, ...common, out: file(`${slug}-lite.${format}`) });
      const b = await exportRows({ ...postgres, ...common, out: file(`${slug}-pg.${format}`) });
      expect(b.tables).toEqual(a.tables);
      expect(b.meta).toEqual(a.meta);
      expect(a.rows).toBeGreaterThan(0);
      same(file(`${slug}-lite.${format}`), file(`${slug}-pg.${format}`));
    }
  });

  it('the full inventory: the same workbook and JSON document', async () => {
    for (const format of ['json', 'xlsx'] as const) {
      const a = await exportFull({
        ...sqlite,
        vcenters: vcenters(),
        format,
        now: NOW,
        out: file(`full.${format}`),
      });
      const b = await exportFull({
        ...postgres,
        vcenters: vcenters(),
        format,
        now: NOW,
        out: file(`full-pg.${format}`),
      });
      expect(b.tables).toEqual(a.tables);
      expect(a.tables['disks']).toBeGreaterThan(0);
      same(file(`full.${format}`), file(`full-pg.${format}`));
    }
  });

  it('the RVTools workbook: the same sheets, rows and cells', async () => {
    const a = await exportRvtools({ ...sqlite, now: NOW, out: file('rv.xlsx') });
    const b = await exportRvtools({ ...postgres, now: NOW, out: file('rv-pg.xlsx') });
    expect(b.tables).toEqual(a.tables);
    // Every sheet has rows (the generated estate covers them), custom attributes among the columns.
    for (const sheet of ['vInfo', 'vDisk', 'vNetwork', 'vPartition', 'vHost', 'vDatastore', 'vMetaData'])
      expect(a.tables[sheet], sheet).toBeGreaterThan(0);
    same(file('rv.xlsx'), file('rv-pg.xlsx'));
  });

  it('reads one snapshot: a write committed while the export streams is not in it', async () => {
    const admin = await connectAdmin(server, 'exports');
    try {
      const before = Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM vms')).rows[0]!.n);
      // A stream that takes its first chunk and then waits: the export is mid-read when the write commits.
      const out = new PassThrough({ highWaterMark: 1024 });
      const chunks: Buffer[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const streaming = new Promise<void>((r) => (started = r));
      let first = true;
      const slow = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          if (first) {
            // The first rows are out: the snapshot is taken, the cursor has more to fetch.
            first = false;
            started();
            void gate.then(() => done());
          } else done();
        },
      });
      out.pipe(slow);
      const finished = new Promise<void>((r) => slow.on('finish', () => r()));
      const running = exportRows({ ...postgres, plan: { entity: 'vms' }, format: 'csv', out, now: NOW });
      await streaming;
      // The leader's write, committed mid-export: 50 VMs gone, one renamed.
      await admin.query(`DELETE FROM vms WHERE moid IN (SELECT moid FROM vms ORDER BY moid LIMIT 50)`);
      await admin.query(
        `UPDATE vms SET name = 'renamed-mid-export' WHERE moid = (SELECT max(moid) FROM vms)`,
      );
      release();
      const r = await running;
      await finished;
      const text = Buffer.concat(chunks).toString('utf8');
      const lines = text.split('\r\n').filter(Boolean);
      expect(r.rows).toBe(before);
      expect(r.meta.rows['rows']).toBe(before);
      expect(lines.length).toBe(before + 1);
      expect(text).not.toContain('renamed-mid-export');
      // A new export sees the write.
      const after = await exportRows({
        ...postgres,
        plan: { entity: 'vms' },
        format: 'json',
        out: file('after.json'),
      });
      expect(after.rows).toBe(before - 50);
    } finally {
      await admin.end();
    }
  });

  it('a failed export (the disk is full) leaves no cursor or connection in use', async () => {
    const full = new Writable({
      write(_chunk, _enc, done) {
        const err = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        done(err);
      },
    });
    await expect(exportRvtools({ ...postgres, now: NOW, out: full })).rejects.toThrow(
      /no space|disk is full/i,
    );
    const admin = await connectAdmin(server, 'exports');
    try {
      const busy = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = 'exports' AND application_name LIKE 'vminer%' AND state <> 'idle'`,
      );
      expect(Number(busy.rows[0]!.n)).toBe(0);
    } finally {
      await admin.end();
    }
    // The pool still answers: the next export runs.
    const again = await exportRows({
      ...postgres,
      plan: { entity: 'hosts' },
      format: 'csv',
      out: file('again.csv'),
    });
    expect(again.rows).toBeGreaterThan(0);
  });
});
