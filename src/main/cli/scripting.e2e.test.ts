// The command line as scripts use it (issue 20): documented exit codes, errors as JSON with --json,
// deterministic filters in the REST list parameters' language, streamed JSON lines and CSV. The
// built CLI against a generated cache in a real SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { ListPages } from '../engine/list-pages.js';
import { QueryService } from '../engine/query/query-service.js';
import { listRequestFromQuery } from '../engine/rest/list-params.js';
import { runBuiltCli, type CliRun } from '../../testing/built-cli.js';
import { populateCache } from '../../testing/generate-inventory.js';

let dir: string;
const vminer = (...args: string[]): CliRun => runBuiltCli([...args, '--data-dir', dir]);
const json = <T>(r: CliRun): T => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-scripting-'));
  const db = openDatabase(dir);
  populateCache(db, { vcenters: 3, vmsTotal: 500, hostsTotal: 12, datastoresTotal: 6, seed: 8 });
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('exit codes and errors', () => {
  it('with --json a failure is {"error": {code, message}} on stdout, nothing on stderr, with its exit code', () => {
    const usage = vminer('list', 'vms', '--bogus', '--json');
    expect(usage.code).toBe(64);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: 'INVALID_INPUT', message: "unknown option '--bogus'" },
    });
    expect(usage.stderr).toBe('');
    const bad = vminer('list', 'widgets', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/unknown entity "widgets"/) },
    });
    expect(bad.stderr).toBe('');
    const missing = vminer('list', 'vms', '--vcenter', 'nosuch', '--json');
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('without --json the message goes to stderr; usage errors exit 64, not understood questions 3', () => {
    const bad = vminer('list', 'widgets');
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^error: unknown entity "widgets"/);
    expect(vminer('frobnicate').code).toBe(64);
    expect(vminer('list').code).toBe(64);
    expect(vminer('ask', 'zombie', 'vms').code).toBe(3);
    const ask = vminer('ask', 'zombie', 'vms', '--json');
    expect(ask.code).toBe(3);
    expect(JSON.parse(ask.stdout)).toMatchObject({ understood: false });
    expect(vminer('--help').code).toBe(0);
  });
});

interface Vm {
  name: string;
  vcenter: string;
  memoryMb: number;
  powerState: string;
}

describe('vminer list: --where, --sort, --columns, --limit', () => {
  const filterArgs = [
    'list',
    'vms',
    '--where',
    'powerState=poweredOff',
    '--where',
    'memoryMb>=8192',
    '--sort',
    'memoryMb:desc',
    '--columns',
    'name,vcenter,memoryMb,powerState',
  ];

  it('filters and sorts as the REST list parameters do, with only the columns asked for', () => {
    const rows = json<Vm[]>(vminer(...filterArgs, '--json'));
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['name', 'vcenter', 'memoryMb', 'powerState']);
      expect(r.powerState).toBe('poweredOff');
      expect(r.memoryMb).toBeGreaterThanOrEqual(8192);
    }
    for (let i = 1; i < rows.length; i++)
      expect(rows[i - 1]!.memoryMb).toBeGreaterThanOrEqual(rows[i]!.memoryMb);
    // The same language and the same order as GET /api/vms?powerState=poweredOff&memoryMb.gte=8192&sort=memoryMb:desc
    const db = openDatabase(dir, { readonly: true });
    try {
      const req = listRequestFromQuery('vms', {
        powerState: 'poweredOff',
        'memoryMb.gte': '8192',
        sort: 'memoryMb:desc',
        limit: '5000',
      });
      const page = new ListPages(db.sqlite, new QueryService({ sqlite: db.sqlite })).page(req);
      expect(rows.map((r) => `${r.vcenter}/${r.name}`)).toEqual(
        page.items.map((r) => `${r['vcenter']}/${r['name']}`),
      );
    } finally {
      db.close();
    }
  });

  it('is deterministic: the same rows in the same order on every run; --limit takes the first of them', () => {
    const a = vminer(...filterArgs, '--json');
    expect(vminer(...filterArgs, '--json').stdout).toBe(a.stdout);
    const all = JSON.parse(a.stdout) as Vm[];
    expect(json<Vm[]>(vminer(...filterArgs, '--limit', '7', '--json'))).toEqual(all.slice(0, 7));
    // Without --sort: by vCenter, then name.
    const plain = json<Vm[]>(vminer('list', 'vms', '--columns', 'vcenter,name', '--json'));
    expect(plain).toHaveLength(500);
    const key = (v: Vm): string => `${v.vcenter.toLowerCase()}\u0000${v.name.toLowerCase()}`;
    for (let i = 1; i < plain.length; i++) expect(key(plain[i - 1]!) <= key(plain[i]!)).toBe(true);
  });

  it('--jsonl streams one object per line, --csv the same rows with a header of field names', () => {
    const rows = json<Vm[]>(vminer(...filterArgs, '--json'));
    const lines = vminer(...filterArgs, '--jsonl')
      .stdout.trimEnd()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l) as Vm)).toEqual(rows);
    const csv = vminer(...filterArgs, '--csv')
      .stdout.trimEnd()
      .split('\r\n');
    expect(csv[0]).toBe('name,vcenter,memoryMb,powerState');
    expect(csv.slice(1)).toEqual(rows.map((r) => `${r.name},${r.vcenter},${r.memoryMb},${r.powerState}`));
    expect(vminer('list', 'vms', '--json', '--csv').code).toBe(64);
  });

  it('takes the operator spelling of the REST parameters and plan filters as JSON; refuses unknown fields', () => {
    const starts = json<Vm[]>(
      vminer('list', 'vms', '--where', 'name.startsWith=a', '--columns', 'name', '--json'),
    );
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.every((r) => r.name.toLowerCase().startsWith('a'))).toBe(true);
    const or = json<Vm[]>(
      vminer(
        'list',
        'vms',
        '--where',
        JSON.stringify({
          kind: 'or',
          filters: [
            { kind: 'cmp', field: 'powerState', op: 'eq', value: 'suspended' },
            { kind: 'cmp', field: 'numCpu', op: 'gte', value: 16 },
          ],
        }),
        '--columns',
        'powerState,numCpu',
        '--json',
      ),
    ) as unknown as { powerState: string; numCpu: number }[];
    expect(or.length).toBeGreaterThan(0);
    expect(or.every((r) => r.powerState === 'suspended' || r.numCpu >= 16)).toBe(true);
    const unknown = vminer('list', 'vms', '--where', 'colour=red', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/unknown field \\"colour\\" for vms/);
    expect(vminer('list', 'vms', '--where', 'memoryMb>=lots').stderr).toMatch(/memoryMb takes a number/);
  });

  it('export takes the same filters', () => {
    const rows = json<Vm[]>(vminer(...filterArgs, '--limit', '5', '--json'));
    const r = vminer(
      'export',
      '--entity',
      'vms',
      '--where',
      'powerState=poweredOff',
      '--where',
      'memoryMb>=8192',
      '--sort',
      'memoryMb:desc',
      '--limit',
      '5',
      '--columns',
      'name,memoryMb',
      '--format',
      'json',
      '--out',
      '-',
    );
    expect(r.code, r.stderr).toBe(0);
    const exported = JSON.parse(r.stdout) as { rows: { name: string; memoryMb: number }[] };
    expect(exported.rows).toEqual(rows.map((v) => ({ name: v.name, memoryMb: v.memoryMb })));
  });
});
