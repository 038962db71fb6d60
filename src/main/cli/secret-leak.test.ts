/**
 * A full run through the real CLI (service account, own vCenter login, SQL source, refresh, sync
 * against a simulator, exports, doctor), then every place a password could end up is searched for
 * the test passwords in the forms they could leak in: the database with its -wal/-shm files, the
 * vault and logs (the whole data folder), the exports (and the text inside the XLSX), the engine
 * settings (in the database), new temp files, the CLI's output, and every process command line
 * seen while it ran.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../testing/vcsim.js';
import { startTdsResponder, type TdsResponder } from '../../testing/tds-responder.js';
import { leakForms } from '../../testing/secrets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const USER = 'svc-ro@vsphere.local';
// XML-, JSON- and URI-special characters and non-ASCII, so every escaping differs from the plain text.
const SECRETS = {
  service: `Svc&<Acct>"pw'Ω-7f3a`,
  own: `Own&<Vc>"pw'ß-91c2`,
  database: `Db&<Src>"pw'π-4d8e`,
};

const xmlEscape = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function forms(secret: string): { form: string; bytes: Buffer }[] {
  const xml = xmlEscape(secret);
  const [utf8, utf16, b64, hex, json] = leakForms(secret);
  return [
    { form: 'plain', bytes: utf8! },
    { form: 'UTF-16LE', bytes: utf16! },
    { form: 'base64', bytes: b64! },
    { form: 'hex', bytes: hex! },
    { form: 'JSON-escaped', bytes: json! },
    { form: 'XML-escaped', bytes: Buffer.from(xml, 'utf8') },
    { form: 'XML-escaped UTF-16LE', bytes: Buffer.from(xml, 'utf16le') },
    {
      form: 'base64 of UTF-16LE',
      bytes: Buffer.from(Buffer.from(secret, 'utf16le').toString('base64').replace(/=+$/, '')),
    },
  ];
}

const ALL_FORMS = Object.entries(SECRETS).flatMap(([name, s]) => forms(s).map((f) => ({ ...f, name })));

function leaksIn(where: string, data: Buffer): string[] {
  return ALL_FORMS.filter((f) => data.includes(f.bytes)).map(
    (f) => `${where}: ${f.name} password (${f.form})`,
  );
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

let sim: RunningSimulator;
let tds: TdsResponder;
let dataDir: string;
let outDir: string;
let tmpBefore: Set<string>;
const outputs: string[] = [];
const cmdlines = new Map<number, string>();
let sampler: NodeJS.Timeout;

function sampleCmdlines(): void {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === sim?.pid) continue; // the simulator stands in for vCenter: it is given its password
    try {
      const c = fs.readFileSync(`/proc/${pid}/cmdline`);
      if (c.length) cmdlines.set(Number(pid), c.toString('utf8').replace(/\0/g, ' '));
    } catch {
      /* gone */
    }
  }
}

function vminer(
  args: string[],
  input = '',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/main/cli.ts'), ...args, '--data-dir', dataDir],
      {
        cwd: ROOT,
        env: { ...process.env, VMINER_DATA_DIR: '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      outputs.push(stdout, stderr);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  tmpBefore = new Set(fs.readdirSync(os.tmpdir()));
  sim = await startSimulator({ vms: 20, user: USER, password: SECRETS.service });
  tds = await startTdsResponder({
    logins: { reader: SECRETS.database },
    answer: () => ({
      columns: [
        { name: 'name', type: 'nvarchar' },
        { name: 'host', type: 'nvarchar' },
        { name: 'port', type: 'int' },
      ],
      rows: [['vc-from-cmdb', '127.0.0.1', sim.port]],
    }),
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-leak-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-leak-out-'));
  sampler = setInterval(sampleCmdlines, 50);
});

afterAll(async () => {
  clearInterval(sampler);
  await tds?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('no password in plain sight after a full run', () => {
  it('runs the whole flow through the CLI', async () => {
    const ok = async (args: string[], input = '', expectStatus = 0) => {
      const r = await vminer(args, input);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(expectStatus);
      return r;
    };
    await ok(['account', 'add', 'corp', '--user', USER, '--password-stdin'], `${SECRETS.service}\n`);
    await ok([
      'vcenter',
      'add',
      'vc-svc',
      '--url',
      sim.url,
      '--service-account',
      '--thumbprint',
      sim.thumbprintSha256,
    ]);
    await ok(
      [
        'vcenter',
        'add',
        'vc-own',
        '--url',
        sim.url.replace('127.0.0.1', 'localhost'),
        '--user',
        'someone',
        '--password-stdin',
        '--thumbprint',
        sim.thumbprintSha256,
        '--skip-check',
      ],
      `${SECRETS.own}\n`,
    );
    await ok(
      [
        'source',
        'add',
        'cmdb',
        '--kind',
        'mssql',
        '--server',
        '127.0.0.1',
        '--port',
        String(tds.port),
        '--database',
        'CMDB',
        '--user',
        'reader',
        '--no-encrypt',
        '--password-stdin',
      ],
      `${SECRETS.database}\n`,
    );
    await ok(['source', 'test', 'cmdb']);
    await ok(['source', 'refresh', 'cmdb']);
    await ok(['vcenter', 'trust', '--accept']);
    // vc-own's login fails (its password is not the simulator's): error paths must not leak either.
    const sync = await ok(['sync'], '', 2);
    expect(sync.stdout + sync.stderr).toMatch(/vc-own/);
    await ok(['export', '--out', path.join(outDir, 'all.xlsx')]);
    await ok(['export', '--entity', 'vms', '--out', path.join(outDir, 'vms.csv')]);
    await ok(['export', '--entity', 'vms', '--out', path.join(outDir, 'vms.json')]);
    await ok(['doctor', '--json', '--port', '1'], '', 1);
    sampleCmdlines();
    expect(fs.existsSync(path.join(dataDir, 'vminer.db'))).toBe(true);
    expect(tds.logins.some((l) => l.ok && l.password === SECRETS.database)).toBe(true);
  }, 600_000);

  it('finds none of the passwords, in any form, anywhere', async () => {
    const leaks: string[] = [];
    const dataFiles = filesUnder(dataDir);
    expect(dataFiles.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['vminer.db', 'credentials.vault', 'vminer.log']),
    );
    for (const f of [...dataFiles, ...filesUnder(outDir)]) leaks.push(...leaksIn(f, fs.readFileSync(f)));
    // Exports are compressed: search the text inside the workbook as well.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(outDir, 'all.xlsx'));
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(c.text))));
    expect(cells.length).toBeGreaterThan(20);
    leaks.push(...leaksIn('all.xlsx cells', Buffer.from(cells.join('\n'))));
    // New temp files of the run (the simulator's own folder holds its configuration: not vMiner's).
    for (const name of fs.readdirSync(os.tmpdir())) {
      if (tmpBefore.has(name) || name.startsWith('vminer-vcsim-')) continue;
      const p = path.join(os.tmpdir(), name);
      for (const f of fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ? filesUnder(p) : [p]) {
        try {
          if (fs.statSync(f).size < 64 * 1024 * 1024) leaks.push(...leaksIn(f, fs.readFileSync(f)));
        } catch {
          /* removed meanwhile */
        }
      }
    }
    outputs.forEach((o, i) => leaks.push(...leaksIn(`CLI output #${i}`, Buffer.from(o))));
    expect(cmdlines.size).toBeGreaterThan(5);
    for (const [pid, c] of cmdlines) leaks.push(...leaksIn(`command line of pid ${pid}`, Buffer.from(c)));
    expect(leaks).toEqual([]);
    // The search itself works: the simulator's command line (excluded above) does carry its password.
    expect(leaksIn('simulator', fs.readFileSync(`/proc/${sim.pid}/cmdline`)).length).toBeGreaterThan(0);
  });
});
