import { openTestEngine } from '../../../testing/engine.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';
import { decodeText, parseDelimited } from './delimited.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
let dataDir: string;
let engine: Engine;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-import-'));
  engine = await openTestEngine(dataDir);
});

afterEach(() => {
  engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

// What a CMDB export opened and re-saved in a European Excel looks like: BOM, semicolons, CRLF,
// quoted fields with the delimiter, doubled quotes and a line break inside, blank lines, repeats.
const MESSY =
  '\uFEFF"vCenter Name";FQDN;Port;User;Site;Tags\r\n' +
  'vc-ams-01;vc-ams-01.corp.example;443;;Amsterdam;"prod;eu"\r\n' +
  '\r\n' +
  '"vc-fra-01";"https://vc-fra-01.corp.example:8443/sdk";;svc-lab;"Frankfurt ""DC2""";"lab\r\nlegacy"\r\n' +
  ';;;;;\r\n' +
  'VC-AMS-01;vc-ams-99.corp.example;443;;;\r\n' +
  'vc-nyc-01;vc_nyc_01.corp.example;443;;;\r\n' +
  'vc-lon-01;vc-lon-01.corp.example;99999;;;\r\n' +
  'vc-par-01;;443;;;\r\n' +
  'vc-ams-copy;VC-AMS-01.corp.example;;;;\r\n' +
  '   \r\n' +
  'vc-sin-01;10.20.30.40;;bob@corp;Singapore;\r\n';

describe('CSV/XLSX import', () => {
  it('previews a messy CSV without writing, then applies it whole', async () => {
    await call('accounts.add', { name: 'corp', username: 'svc-ro@corp', password: 'Pw#corp1' });
    await call('accounts.add', { name: 'svc-lab', username: 'svc-lab@vsphere.local', password: 'Pw#lab22' });
    const preview = await call('import.preview', { content: MESSY });
    expect(preview.format).toBe('csv');
    expect(preview.delimiter).toBe(';');
    expect(preview.columns.map((c) => c.field)).toEqual(['name', 'host', 'port', 'username', 'site', 'tags']);
    expect(preview.items.map((i) => [i.line, i.action, i.name, i.reason])).toEqual([
      [2, 'add', 'vc-ams-01', null],
      [4, 'add', 'vc-fra-01', null],
      [7, 'skip', 'VC-AMS-01', 'duplicate of line 2'],
      [8, 'skip', 'vc-nyc-01', 'bad host name "vc_nyc_01.corp.example"'],
      [9, 'skip', 'vc-lon-01', 'bad port "99999"'],
      [10, 'skip', 'vc-par-01', 'no host'],
      [11, 'skip', 'vc-ams-copy', 'same address as line 2 (vc-ams-01)'],
      [13, 'add', 'vc-sin-01', null],
    ]);
    expect(preview.counts).toEqual({ add: 3, update: 0, skip: 5 });
    const fra = preview.items[1]!;
    expect(fra.url).toBe('https://vc-fra-01.corp.example:8443/sdk');
    expect(fra.site).toBe('Frankfurt "DC2"');
    expect(fra.tags).toEqual(['lab', 'legacy']);
    expect(fra.login).toBe('service account svc-lab');
    expect(preview.items[0]!.tags).toEqual(['prod', 'eu']);
    expect(preview.items[0]!.login).toBe('default service account (corp)');
    expect(preview.items[7]!.login).toBe('own account bob@corp (set its password)');
    expect(engine.vcenters.list()).toEqual([]);

    const result = await call('import.apply', { content: MESSY });
    expect(result.addedIds).toHaveLength(3);
    const list = engine.vcenters.list();
    expect(list.map((v) => [v.name, v.url, v.username, v.site, v.tags, v.credential.kind])).toEqual([
      [
        'vc-ams-01',
        'https://vc-ams-01.corp.example/sdk',
        'svc-ro@corp',
        'Amsterdam',
        ['prod', 'eu'],
        'service',
      ],
      [
        'vc-fra-01',
        'https://vc-fra-01.corp.example:8443/sdk',
        'svc-lab@vsphere.local',
        'Frankfurt "DC2"',
        ['lab', 'legacy'],
        'service',
      ],
      ['vc-sin-01', 'https://10.20.30.40/sdk', 'bob@corp', 'Singapore', [], 'own'],
    ]);
    expect(list.every((v) => v.source === null && v.thumbprint === null)).toBe(true);

    // The same file again changes nothing.
    const again = await call('import.preview', { content: MESSY });
    expect(again.counts).toEqual({ add: 0, update: 0, skip: 8 });
    expect(again.items[0]!.reason).toBe('already registered, nothing changes');
  });

  it('updates changed entries, keeps what empty cells do not mention, refuses an address another vCenter has', async () => {
    await call('vcenters.add', {
      name: 'vc1',
      url: 'vc1.corp',
      username: 'u',
      password: 'p#1',
      site: 'Old',
      tags: ['a'],
    });
    await call('vcenters.add', { name: 'vc2', url: 'vc2.corp', username: 'u', password: 'p#2' });
    const csv = 'name,host,site,tags\nvc1,vc1.corp,New,\nvc2,vc2.corp:8443,,\nvc3,vc1.corp,,\n';
    const p = await call('import.preview', { content: csv });
    expect(p.items.map((i) => [i.name, i.action, i.reason])).toEqual([
      ['vc1', 'update', 'site Old → New'],
      ['vc2', 'update', 'address https://vc2.corp/sdk → https://vc2.corp:8443/sdk'],
      ['vc3', 'skip', 'same address as line 2 (vc1)'],
    ]);
    await call('import.apply', { content: csv });
    const [vc1, vc2] = engine.vcenters.list();
    expect([vc1!.site, vc1!.tags, vc1!.credential.kind, vc2!.url]).toEqual([
      'New',
      ['a'],
      'own',
      'https://vc2.corp:8443/sdk',
    ]);
    expect(engine.vault.get(`vcenter:${vc1!.id}`)).toBe('p#1');
  });

  it('imports nothing when one write fails half-way (all or nothing)', async () => {
    await call('vcenters.add', { name: 'vc1', url: 'vc1.corp', username: 'u', password: 'p#1', site: 'Old' });
    // A write that fails after others succeeded: the whole import must roll back.
    engine.database.sqlite.exec(
      `CREATE TRIGGER refuse_vc4 BEFORE INSERT ON vcenters WHEN NEW.name = 'vc4'
       BEGIN SELECT RAISE(ABORT, 'disk said no'); END`,
    );
    const csv =
      'name,host,site\nvc1,vc1.corp,New\nvc2,vc2.corp,\nvc3,vc3.corp,\nvc4,vc4.corp,\nvc5,vc5.corp,\n';
    await expect(call('import.apply', { content: csv })).rejects.toThrow(/disk said no/);
    const list = engine.vcenters.list();
    expect(list.map((v) => [v.name, v.site])).toEqual([['vc1', 'Old']]);
    expect(engine.database.sqlite.prepare('SELECT count(*) AS n FROM sync_state').get()).toEqual({ n: 1 });
  });

  it('reads XLSX content (base64 over HTTP) and UTF-16 tab-separated text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('vCenters');
    ws.addRow(['Name', 'Host', 'Port', 'Tags']);
    ws.addRow([]);
    ws.addRow(['vc-x1', 'vc-x1.corp', 443, 'prod, x']);
    ws.addRow(['vc-x2', { text: 'vc-x2.corp', hyperlink: 'https://vc-x2.corp' }, 9443, null]);
    ws.addRow(['vc-x1', 'vc-x1b.corp', 443, null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const preview = await call('import.preview', { content: buf.toString('base64'), encoding: 'base64' });
    expect(preview.format).toBe('xlsx');
    expect(preview.items.map((i) => [i.line, i.action, i.url, i.reason])).toEqual([
      [3, 'add', 'https://vc-x1.corp/sdk', null],
      [4, 'add', 'https://vc-x2.corp:9443/sdk', null],
      [5, 'skip', 'https://vc-x1b.corp/sdk', 'duplicate of line 3'],
    ]);
    expect(preview.items[0]!.tags).toEqual(['prod', 'x']);

    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('name\thost\r\nvc-ü\tvc-u.corp\r\n', 'utf16le'),
    ]);
    const p2 = await call('import.preview', { content: utf16.toString('base64'), encoding: 'base64' });
    expect([p2.delimiter, p2.items[0]!.name, p2.items[0]!.action]).toEqual(['\t', 'vc-ü', 'add']);
  });

  it('names the columns it found when the file has no host column', async () => {
    await expect(call('import.preview', { content: 'vcenter;ip address\nvc1;1.2.3.4\n' })).rejects.toThrow(
      /no host column \(its columns: "vcenter", "ip address"\)/,
    );
    await expect(call('import.preview', { content: '\uFEFF\r\n\r\n' })).rejects.toThrow(/empty/);
  });

  it('keeps file paths off HTTP', () => {
    expect(CONTRACT['import.previewFile'].http).toBe(false);
    expect(CONTRACT['import.applyFile'].http).toBe(false);
    expect(CONTRACT['import.apply'].http).toBe(true);
  });

  it('`vminer vcenter import FILE` previews, `--apply` imports', () => {
    engine.close();
    const file = path.join(dataDir, 'list.csv');
    fs.writeFileSync(file, 'name;host\nvc1;vc1.corp\nvc1;vc1.corp\n');
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'src/main/cli.ts'), ...args, '--data-dir', dataDir],
        {
          encoding: 'utf8',
          cwd: ROOT,
          timeout: 60_000,
        },
      );
    const p = run('vcenter', 'import', file);
    expect(p.stderr).not.toMatch(/error/);
    expect(p.stdout).toMatch(/Preview: 1 to add, 0 to update, 1 skipped\. Nothing was changed/);
    expect(p.stdout).toMatch(/duplicate of line 2/);
    const a = run('vcenter', 'import', file, '--apply', '--json');
    expect(a.status).toBe(0);
    expect((JSON.parse(a.stdout) as { counts: unknown }).counts).toEqual({ add: 1, update: 0, skip: 1 });
    const l = run('vcenter', 'list', '--json');
    expect((JSON.parse(l.stdout) as { name: string }[]).map((v) => v.name)).toEqual(['vc1']);
  });
});

describe('delimited text', () => {
  it('counts physical lines across quoted line breaks and ignores blank records', () => {
    const t = parseDelimited('a,b\n"x\ny",2\n\n,\nlast,"q""uote"');
    expect(t.rows).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x\ny', '2'] },
      { line: 6, cells: ['last', 'q"uote'] },
    ]);
  });

  it('refuses a quoted field that never closes, naming the line it opens on (not the rest of the file in one cell)', () => {
    const text = 'name,host,site\nvc1,vc1.corp,"Zurich\nvc2,vc2.corp,Paris\nvc3,vc3.corp,Rome\n';
    expect(() => parseDelimited(text)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^line 2: a quoted field starts here and never ends/),
      }),
    );
    // A closed quote spanning lines is still one cell.
    expect(parseDelimited('name,site\nvc1,"a\nb"\nvc2,c\n').rows.map((r) => r.cells)).toEqual([
      ['name', 'site'],
      ['vc1', 'a\nb'],
      ['vc2', 'c'],
    ]);
  });

  it('reads Windows-1252 text from older Excel versions as such, UTF-8 as UTF-8', () => {
    // "Zürich;Genève;Œuvre – €" as Windows-1252 bytes: ü e8 Œ – € are no UTF-8.
    const cp1252 = Buffer.from([
      0x5a, 0xfc, 0x72, 0x69, 0x63, 0x68, 0x3b, 0x47, 0x65, 0x6e, 0xe8, 0x76, 0x65, 0x3b, 0x8c, 0x75, 0x76,
      0x72, 0x65, 0x20, 0x96, 0x20, 0x80,
    ]);
    expect(decodeText(cp1252)).toBe('Zürich;Genève;Œuvre – €');
    expect(decodeText(Buffer.from('\uFEFFZürich;Genève – €', 'utf8'))).toBe('Zürich;Genève – €');
    expect(decodeText(Buffer.from('Zürich', 'utf8'))).toBe('Zürich');
  });
});

describe('CSV import of Windows-1252 and broken files', () => {
  it('imports the sites of a Windows-1252 file correctly and refuses an unclosed quote with its line', async () => {
    const csv = Buffer.concat([
      Buffer.from('name;host;site\r\nvc-zrh-01;vc-zrh-01.corp.example;Z', 'latin1'),
      Buffer.from([0xfc]),
      Buffer.from('rich\r\n', 'latin1'),
    ]);
    const preview = await call('import.preview', { content: csv.toString('base64'), encoding: 'base64' });
    expect(preview.items.map((i) => [i.name, i.site])).toEqual([['vc-zrh-01', 'Zürich']]);
    await expect(
      call('import.preview', { content: 'name,host\nvc1,"vc1.corp\nvc2,vc2.corp\n' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^line 2: /) });
    expect(engine.vcenters.list()).toEqual([]);
  });
});
