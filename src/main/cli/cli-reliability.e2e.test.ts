/**
 * The built CLI against a generated cache: what it must refuse, and what it must not damage.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll } from '../../testing/vcsim.js';
import { openDatabase } from '../engine/db/database.js';
import { populateCache } from '../../testing/generate-inventory.js';
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

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** 64 KB of garbage in the middle of the file. */
function garbleMiddle(file: string): void {
  const offset = Math.floor(fs.statSync(file).size / 2 / 4096) * 4096;
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(65_536, 0x5a), 0, 65_536, offset);
  fs.closeSync(fd);
}

describe('a damaged cache', () => {
  let dir: string;
  let vms: number;

  beforeAll(async () => {
    const sim = await startSimulator({
      seed: 8,
      vms: 400,
      clusters: 2,
      hostsPerCluster: 3,
      user: 'ro',
      password: 'Pw#sim1',
    });
    vms = sim.counts.vms;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-damaged-'));
    const add = vminer(
      [
        'vcenter',
        'add',
        'lab',
        '--url',
        sim.url,
        '--user',
        'ro',
        '--password-stdin',
        '--thumbprint',
        sim.thumbprintSha256,
      ],
      { input: 'Pw#sim1\n', dir },
    );
    expect(add.code, add.stderr).toBe(0);
    const sync = vminer(['sync'], { dir });
    expect(sync.code, sync.stderr).toBe(0);
  });

  afterAll(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is found by doctor, refused by serve, and rebuilt by db repair with the inventory synced again', async () => {
    const cache = path.join(dir, 'vminer.db');
    garbleMiddle(cache);
    const port = String(await freePort());

    const doctor = vminer(['doctor', '--local-only', '--port', port], { dir });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/\[FAIL\] database — (integrity|migrations): the cache .*damaged/);
    expect(doctor.stdout).not.toMatch(/All checks passed/);

    const check = vminer(['db', 'check'], { dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/The cache is damaged/);
    expect(check.stdout).toMatch(/config-latest\.db/);

    const serve = vminer(['serve', '--port', port], { dir });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toMatch(/damaged: .*run `vminer db repair`/);

    const repair = vminer(['db', 'repair'], { dir });
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/The cache was damaged/);
    expect(repair.stdout).toMatch(/The damaged file is kept as .*vminer\.db\.damaged-/);
    expect(repair.stdout).toMatch(/✓ lab: \d+ VMs/);

    const list = JSON.parse(vminer(['list', 'vms', '--json'], { dir }).stdout) as unknown[];
    expect(list).toHaveLength(vms);
    expect(vminer(['db', 'check', '--full'], { dir }).code).toBe(0);
    expect(vminer(['doctor', '--local-only', '--port', port], { dir }).stdout).toMatch(
      /\[ok {2}\] database — integrity/,
    );
  });

  it('overwritten: readers say damaged (not "needs 7 database upgrades"), and db repair restores the vCenters from the backup', () => {
    const cache = path.join(dir, 'vminer.db');
    fs.writeFileSync(cache, '{"vms": []}');
    for (const f of ['vminer.db-wal', 'vminer.db-shm']) fs.rmSync(path.join(dir, f), { force: true });
    const list = vminer(['vcenter', 'list'], { dir });
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/damaged: it is not an SQLite database .*vminer db repair/);
    expect(list.stderr).not.toMatch(/upgrade/);
    const repair = vminer(['db', 'repair', '--no-sync'], { dir });
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/vcenters +1 +0 salvaged, 1 from the backup/);
    const names = (
      JSON.parse(vminer(['vcenter', 'list', '--json'], { dir }).stdout) as { name: string }[]
    ).map((v) => v.name);
    expect(names).toEqual(['lab']);
  });
});
