// Each command loads what it needs, nothing more (issue 15): the built CLI, run as installed, with a
// module hook listing every module it resolves. A heavy import creeping back into `--version`,
// `--help`, a reader or `sync` fails here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { loadedModules } from '../../testing/built-cli.js';
import { populateCache } from '../../testing/generate-inventory.js';

/** Libraries only the commands that use them may load (drizzle-orm is bundled: see electron.vite.config.ts). */
const SERVER = ['fastify', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/static', 'pino'];
const WORKBOOK = ['exceljs'];
const SQL_DRIVERS = ['mssql', 'tedious', 'pg'];
const HEAVY = [...SERVER, ...WORKBOOK, ...SQL_DRIVERS, 'jose', 'drizzle-orm'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-modules-data-'));
  const db = openDatabase(dir);
  populateCache(db, { vcenters: 2, vmsTotal: 60, hostsTotal: 4, datastoresTotal: 2, seed: 4 });
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the built CLI loads per command', { timeout: 120_000 }, () => {
  it('--version: no package at all, and two files of its own', () => {
    const r = loadedModules(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.packages).toEqual([]);
    expect(r.ownFiles.length).toBeLessThanOrEqual(2);
  });

  it('--help and completion scripts: commander and the definitions only', () => {
    for (const args of [['--help'], ['list', '--help'], ['completion', 'bash']]) {
      const r = loadedModules(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.packages, args.join(' ')).toEqual(['commander']);
    }
  });

  it('readers (ask, list, stats, vcenter list) load SQLite and what answering needs, no server, workbook, SQL driver or the engine', () => {
    for (const args of [
      ['ask', 'powered', 'on', 'vms', '--json'],
      ['list', 'vms', '--json', '--where', 'numCpu>=2'],
      ['stats', '--json'],
      ['changes', '--since', '7d', '--json'],
      ['vcenter', 'list', '--json'],
    ]) {
      const r = loadedModules([...args, '--data-dir', dir]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.packages, args.join(' ')).toContain('better-sqlite3');
      expect(
        r.packages.filter((p) => HEAVY.includes(p) || p === 'croner' || p === '@napi-rs/keyring'),
        args.join(' '),
      ).toEqual([]);
      expect(
        r.ownFiles.some((u) => /\/engine-[\w-]+\.js$/.test(u)),
        args.join(' '),
      ).toBe(false);
    }
  });

  it('db check and db migrate on the data folder load SQLite, not the PostgreSQL driver', () => {
    for (const args of [
      ['db', 'check', '--json'],
      ['db', 'migrate', '--json'],
    ]) {
      const r = loadedModules([...args, '--data-dir', dir]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.packages, args.join(' ')).toContain('better-sqlite3');
      expect(
        r.packages.filter((p) => HEAVY.includes(p)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('sync opens the engine without the server, workbooks or SQL drivers; CSV and XLSX exports without exceljs', () => {
    const sync = loadedModules(['sync', 'no-such-vcenter', '--data-dir', dir], {
      env: { VMINER_SECRET_KEY: 'a'.repeat(64) },
    });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/no vCenter named "no-such-vcenter"/);
    expect(sync.packages).toContain('croner');
    expect(sync.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
    const csv = loadedModules(
      ['export', '--entity', 'vms', '--format', 'csv', '--out', '-', '--data-dir', dir],
      {},
    );
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
    const xlsx = path.join(os.tmpdir(), `vminer-modules-${process.pid}.xlsx`);
    try {
      const workbook = loadedModules(['export', '--entity', 'vms', '--out', xlsx, '--data-dir', dir]);
      expect(workbook.code, workbook.stderr).toBe(0);
      // Workbooks are written by the lean streaming writer (export/xlsx-stream.ts): exceljs only reads imports.
      expect(workbook.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
    } finally {
      fs.rmSync(xlsx, { force: true });
    }
  });
});
