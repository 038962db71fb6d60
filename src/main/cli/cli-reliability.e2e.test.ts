/**
 * The built CLI against a generated cache: what it must refuse, and what it must not damage.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { populateCache } from '../engine/db/generate-inventory.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'out/main/cli.js');

let dataDir: string;
let work: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function vminer(args: string[], opts: { input?: string; dir?: string } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', opts.dir ?? dataDir], {
    input: opts.input ?? '',
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, VMINER_DATA_DIR: '', VMINER_SECRET_KEY: 'k'.repeat(44) },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SQLITE_HEADER = 'SQLite format 3\0';
const header = (file: string): string => {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(16);
    fs.readSync(fd, b, 0, 16, 0);
    return b.toString('latin1');
  } finally {
    fs.closeSync(fd);
  }
};

beforeAll(() => {
  if (!fs.existsSync(CLI)) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-rel-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-work-'));
  const db = openDatabase(dataDir);
  populateCache(db, { vcenters: 3, vmsTotal: 300, hostsTotal: 12, datastoresTotal: 6, seed: 9 });
  db.close();
});

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('vminer export: the target', () => {
  it('refuses the cache itself, anything in the data folder, and the same folder through a link', () => {
    const link = path.join(work, 'data-link');
    fs.symlinkSync(dataDir, link);
    for (const out of [
      path.join(dataDir, 'vminer.db'),
      path.join(dataDir, 'estate.json'),
      path.join(dataDir, 'logs', 'x.json'),
      path.join(link, 'vminer.db'),
      path.join(dataDir, '..', path.basename(dataDir), 'vminer.db'),
    ]) {
      const r = vminer(['export', '--format', 'json', '--out', out]);
      expect(r.code, out).toBe(1);
      expect(r.stderr).toMatch(/inside the vMiner data folder .*choose a file elsewhere/);
    }
    expect(header(path.join(dataDir, 'vminer.db'))).toBe(SQLITE_HEADER);
    expect(vminer(['stats']).code).toBe(0);
  });

  it('refuses a hard link to the cache outside the data folder', () => {
    const hard = path.join(work, 'cache-hardlink.db');
    fs.linkSync(path.join(dataDir, 'vminer.db'), hard);
    const r = vminer(['export', '--format', 'json', '--out', hard]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/same file as .*vminer\.db, which vMiner keeps open/);
    expect(header(path.join(dataDir, 'vminer.db'))).toBe(SQLITE_HEADER);
    fs.rmSync(hard);
  });

  it('takes --out - as standard output, with the report on standard error', () => {
    const r = vminer([
      'export',
      '--entity',
      'vms',
      '--columns',
      'name,powerState',
      '--format',
      'csv',
      '--out',
      '-',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('Name,Power state');
    expect(lines).toHaveLength(301);
    expect(r.stderr).toMatch(/Wrote 300 rows to standard output/);
    expect(fs.existsSync(path.join(work, '-'))).toBe(false);
    const json = vminer(['export', '--format', 'json', '--out', '-']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { vms: unknown[] }).vms).toHaveLength(300);
    expect(vminer(['export', '--entity', 'vms', '--out', '-']).stderr).toMatch(
      /give --format .* with --out -/,
    );
  });
});

describe('vminer vcenter add: what it refuses', () => {
  it.each([
    [['vc-x', '--url', 'https://admin:Secr3tPw@vc-x.corp/sdk'], /contains a user name or password/],
    [['vc-x', '--url', 'ht!tp://x'], /not a URL scheme/],
    [['vc-x', '--url', 'vc-x.corp:0'], /port 0/],
    [['vc-x', '--url', 'https://vc-x.corp/\nsdk'], /whitespace or a control character/],
    [['vc-x', '--url', `https://${'h'.repeat(70_000)}.corp/sdk`], /longer than 500 characters/],
    [['', '--url', 'vc-x.corp'], /vCenter name: the name is empty/],
    [['x'.repeat(100_000), '--url', 'vc-x.corp'], /100,000 characters long/],
    [['vc\u202Ex', '--url', 'vc-x.corp'], /U\+202E/],
    [['vc\u200Bx', '--url', 'vc-x.corp'], /U\+200B/],
    [['vc\u0001x', '--url', 'vc-x.corp'], /U\+0001/],
    [['vc-dup', '--url', 'https://VC-AMS-01.corp.example'], /already registered as "vc-ams-01"/],
  ])('refuses %#, saying why, and stores nothing', (args, reason) => {
    const before = vminer(['vcenter', 'list', '--json']).stdout;
    const r = vminer(['vcenter', 'add', ...args, '--user', 'ro', '--password-stdin', '--skip-check'], {
      input: 'pw\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toContain('Secr3tPw');
    const after = vminer(['vcenter', 'list', '--json']).stdout;
    expect(after).toBe(before);
    expect(after).not.toContain('Secr3tPw');
  });
});

describe('vminer ask with 100,000 vCenters that never synced', () => {
  it('counts them and names the first ten instead of printing every name', () => {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-many-'));
    try {
      const db = openDatabase(big);
      populateCache(db, { vcenters: 2, vmsTotal: 50, hostsTotal: 4, datastoresTotal: 2, seed: 3 });
      new VcenterRepo(db.db).bulkWrite(
        Array.from({ length: 100_000 }, (_, i) => ({
          name: `new-${String(i).padStart(6, '0')}`,
          url: `new-${i}.corp.example`,
          username: '',
          thumbprint: null,
          caPem: null,
        })),
        [],
      );
      db.close();
      const r = vminer(['ask', 'how many vms'], { dir: big });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /100,000 vCenters never synced; first 10: new-000000, new-000001, .*, new-000009, …/,
      );
      expect(r.stdout.length).toBeLessThan(4_000);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});
