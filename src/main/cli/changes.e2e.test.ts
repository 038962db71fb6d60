// `vminer changes` as installed: the built CLI against a real cache with seeded history.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/db/database.js';
import { runBuiltCli } from '../../testing/built-cli.js';
import { insertChanges, randomChanges } from '../../testing/changes-seed.js';
import { populateCache } from '../../testing/generate-inventory.js';

let dir: string;
let vcName: string;
const NOW = new Date();

const vminer = (...args: string[]) => runBuiltCli([...args, '--data-dir', dir]);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-changes-cli-'));
  const db = openDatabase(dir);
  populateCache(db, { vcenters: 1, vmsTotal: 20, hostsTotal: 2, datastoresTotal: 1, seed: 2 });
  const vc = db.sqlite.prepare('SELECT id, name FROM vcenters').get() as { id: number; name: string };
  vcName = vc.name;
  insertChanges(
    db.sqlite,
    randomChanges({ n: 300, now: NOW, days: 6, seed: 4, vcenters: 1, objects: 20 }).map((r) => ({
      ...r,
      vcenterId: vc.id,
      vcenter: vc.name,
    })),
  );
  insertChanges(db.sqlite, [
    {
      at: new Date(NOW.getTime() - 60_000),
      vcenterId: vc.id,
      vcenter: vc.name,
      entity: 'vms',
      moid: 'vm-rename',
      objectName: 'web-01',
      kind: 'changed',
      field: 'name',
      oldValue: 'web-01',
      newValue: 'web-01, "new"',
    },
  ]);
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const count = (sql: string, ...p: (string | number)[]): number => {
  const db = openDatabase(dir, { readonly: true });
  try {
    return db.sqlite
      .prepare(sql)
      .pluck()
      .get(...p) as number;
  } finally {
    db.close();
  }
};

describe('vminer changes', { timeout: 60_000 }, () => {
  it('prints a table of the newest 100 with the counts per kind, and says how to get more', () => {
    const r = vminer('changes');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^at\s+vCenter\s+entity\s+object\s+kind\s+field\s+old\s+new\s+source$/);
    expect(lines).toHaveLength(2 + 100 + 1);
    // The seeded rows plus what the fixture's own sync recorded (its first-sync marker).
    const total = count('SELECT count(*) FROM changes');
    expect(total).toBeGreaterThanOrEqual(301);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^100 of ${total} changes \\(\\d+ changed, \\d+ created, \\d+ removed(, \\d+ first-sync)?\\) — more with --limit N`,
      ),
    );
  });

  it('--json, --jsonl and --csv give every row of the filter, newest first', () => {
    const since = new Date(NOW.getTime() - 2 * 86_400_000).toISOString();
    const expected = count("SELECT count(*) FROM changes WHERE at >= ? AND entity = 'vms'", since);
    const json = vminer('changes', '--since', since, '--entity', 'vms', '--json');
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { at: string; id: number }[];
    expect(rows).toHaveLength(expected);
    for (let i = 1; i < rows.length; i++)
      expect(
        rows[i - 1]!.at > rows[i]!.at || (rows[i - 1]!.at === rows[i]!.at && rows[i - 1]!.id > rows[i]!.id),
      ).toBe(true);
    const jsonl = vminer('changes', '--since', since, '--entity', 'vms', '--jsonl');
    expect(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(rows);
    const csv = vminer('changes', '--object', 'web-01', '--csv');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0] ?? csv.stdout.split('\n')[0]).toMatch(
      /^at,vcenter,entity,objectName,kind,field,oldValue,newValue,source,moid,vcenterId,id/,
    );
    expect(csv.stdout).toContain(
      `,${vcName},vms,web-01,changed,name,web-01,"web-01, ""new""",live,vm-rename,`,
    );
  });

  it('filters by field, kind, vCenter and --limit', () => {
    const r = vminer(
      'changes',
      '--field',
      'powerState',
      '--kind',
      'changed',
      '--vcenter',
      vcName,
      '--limit',
      '7',
      '--jsonl',
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { field: string; kind: string });
    expect(rows).toHaveLength(7);
    expect(rows.every((x) => x.field === 'powerState' && x.kind === 'changed')).toBe(true);
  });

  it('refuses bad input: exit 1 with a JSON error under --json, a bad choice exit 64', () => {
    const bad = vminer('changes', '--since', 'last tuesday', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/since "last tuesday" is not a time/) },
    });
    const kind = vminer('changes', '--kind', 'renamed');
    expect(kind.code).toBe(64);
    expect(kind.stderr).toMatch(/Allowed choices are changed, created, removed, first-sync/);
  });
});
