import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../database.js';
import { insertChanges, randomChanges, type SeedChange } from '../../../../testing/changes-seed.js';
import { ChangesReader } from './changes-read.js';
import { parseTimeBound } from './time-bound.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const h = (hours: number): string => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

let dir: string;
let db: OpenedDatabase;
let reader: ChangesReader;

function vcenter(name: string): number {
  return Number(
    db.sqlite
      .prepare("INSERT INTO vcenters (name, url, username, created_at) VALUES (?, ?, 'u', ?)")
      .run(name, `https://${name}/sdk`, NOW.toISOString()).lastInsertRowid,
  );
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-changes-'));
  db = openDatabase(dir);
  reader = new ChangesReader(db.sqlite, () => NOW);
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('parseTimeBound', () => {
  it('reads durations back from now, dates and ISO times', () => {
    expect(parseTimeBound('24h', NOW)).toBe(h(24));
    expect(parseTimeBound('7d', NOW)).toBe(h(7 * 24));
    expect(parseTimeBound('90m', NOW)).toBe(h(1.5));
    expect(parseTimeBound('2w', NOW)).toBe(h(14 * 24));
    expect(parseTimeBound('2026-11-01', NOW)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseTimeBound('2026-11-01T08:30:00+01:00', NOW)).toBe('2026-11-01T07:30:00.000Z');
    expect(parseTimeBound('2026-11-01 08:30', NOW)).toBe('2026-11-01T08:30:00.000Z');
  });
  it('refuses what is not a time, saying what is', () => {
    expect(() => parseTimeBound('yesterdayish', NOW)).toThrow(/use a duration back from now \(30m, 24h/);
    expect(() => parseTimeBound('2026-13-45', NOW, 'until')).toThrow(/until "2026-13-45" is not a time/);
    expect(() => parseTimeBound('24 parsecs', NOW)).toThrow(/not a time/);
  });
});

describe('ChangesReader', () => {
  function seedSmall(): { vc1: number; vc2: number } {
    const vc1 = vcenter('vc-a');
    const vc2 = vcenter('vc-b');
    const base = { vcenter: 'vc-a', vcenterId: vc1, entity: 'vms', source: 'live' as const };
    const rows: SeedChange[] = [
      {
        ...base,
        at: h(200),
        moid: 'vm-1',
        objectName: 'web-01',
        kind: 'created',
        newValue: '{"name":"web-01"}',
      },
      {
        ...base,
        at: h(50),
        moid: 'vm-1',
        objectName: 'web-01',
        kind: 'changed',
        field: 'memoryMb',
        oldValue: '4096',
        newValue: '8192',
      },
      // Renamed: the history stays joined by moid.
      {
        ...base,
        at: h(30),
        moid: 'vm-1',
        objectName: 'web-01',
        kind: 'changed',
        field: 'name',
        oldValue: 'web-01',
        newValue: 'web-01-old',
      },
      {
        ...base,
        at: h(20),
        moid: 'vm-1',
        objectName: 'web-01-old',
        kind: 'changed',
        field: 'powerState',
        oldValue: 'poweredOn',
        newValue: 'poweredOff',
        source: 'sync',
      },
      // A new VM took the old name.
      {
        ...base,
        at: h(10),
        moid: 'vm-9',
        objectName: 'web-01',
        kind: 'created',
        newValue: '{"name":"web-01"}',
      },
      {
        ...base,
        at: h(5),
        moid: 'vm-2',
        objectName: 'db-01',
        kind: 'changed',
        field: 'disk 2 capacityBytes',
        oldValue: '1',
        newValue: '2',
      },
      {
        ...base,
        at: h(4),
        moid: 'vm-2',
        objectName: 'db-01',
        kind: 'changed',
        field: 'disk 1 capacityBytes',
        oldValue: '1',
        newValue: '3',
      },
      {
        vcenter: 'vc-b',
        vcenterId: vc2,
        entity: 'hosts',
        at: h(3),
        moid: 'host-1',
        objectName: 'esx-01',
        kind: 'changed',
        field: 'inMaintenanceMode',
        oldValue: 'false',
        newValue: 'true',
        source: 'live',
      },
      {
        vcenter: 'vc-b',
        vcenterId: vc2,
        entity: 'vms',
        at: h(2),
        moid: 'vm-1',
        objectName: 'app-01',
        kind: 'removed',
        oldValue: '{"name":"app-01"}',
        source: 'sync',
      },
      {
        vcenter: 'vc-gone',
        vcenterId: 99,
        entity: 'vcenters',
        at: h(1),
        moid: 'vc',
        objectName: 'vc-gone',
        kind: 'first-sync',
        source: 'sync',
      },
    ];
    insertChanges(db.sqlite, rows);
    return { vc1, vc2 };
  }

  it('pages newest first by (at, id) with an opaque cursor, without gaps or repeats', () => {
    vcenter('vc-1');
    const rows = randomChanges({ n: 523, now: NOW, days: 3, seed: 5 });
    // Equal times too: ids break the tie.
    for (let i = 0; i < 40; i++) rows.push({ ...rows[0]!, at: h(1) });
    insertChanges(db.sqlite, rows);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = reader.page({ limit: 50, ...(cursor ? { cursor, counts: false } : {}) });
      seen.push(...p.items.map((r) => r.id));
      cursor = p.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(563 / 50));
    const expected = db.sqlite
      .prepare('SELECT id FROM changes ORDER BY at DESC, id DESC')
      .pluck()
      .all() as number[];
    expect(seen).toEqual(expected);
  });

  it('counts the filtered set per kind, beyond the page', () => {
    seedSmall();
    const p = reader.page({ since: '24h', limit: 2 });
    expect(p.items).toHaveLength(2);
    expect(p.counts).toEqual({ changed: 4, created: 1, removed: 1, 'first-sync': 1 });
    expect(p.since).toBe(h(24));
    const all = reader.page({ limit: 100 });
    expect(all.counts).toEqual({ changed: 6, created: 2, removed: 1, 'first-sync': 1 });
  });

  it('filters by since/until, vCenter (current or recorded name), entity, field, kind and source', () => {
    seedSmall();
    const names = (req: Parameters<ChangesReader['page']>[0]): string[] =>
      reader.page(req).items.map((r) => `${r.objectName}:${r.kind}:${r.field ?? ''}`);
    expect(names({ since: '25h', until: '270m' })).toEqual([
      'db-01:changed:disk 2 capacityBytes',
      'web-01:created:',
      'web-01-old:changed:powerState',
    ]);
    expect(names({ vcenter: 'VC-B' })).toEqual(['app-01:removed:', 'esx-01:changed:inMaintenanceMode']);
    // A removed vCenter is still found by the name the history recorded.
    expect(names({ vcenter: 'vc-gone' })).toEqual(['vc-gone:first-sync:']);
    expect(names({ entity: 'hosts' })).toEqual(['esx-01:changed:inMaintenanceMode']);
    expect(names({ field: 'powerState' })).toEqual(['web-01-old:changed:powerState']);
    expect(names({ field: 'disk*' })).toEqual([
      'db-01:changed:disk 1 capacityBytes',
      'db-01:changed:disk 2 capacityBytes',
    ]);
    expect(names({ kind: ['created', 'removed'] })).toEqual([
      'app-01:removed:',
      'web-01:created:',
      'web-01:created:',
    ]);
    expect(names({ source: 'sync', entity: 'vms' })).toEqual([
      'app-01:removed:',
      'web-01-old:changed:powerState',
    ]);
  });

  it('finds an object by its current or a past name and returns all its rows, renames included', () => {
    const { vc1 } = seedSmall();
    db.sqlite
      .prepare(
        "INSERT INTO vms (vcenter_id, moid, name, snapshot_count, template) VALUES (?, 'vm-1', 'web-01-old', 0, 0)",
      )
      .run(vc1);
    // "web-01" was vm-1's name, and is vm-9's now: both objects' histories.
    const byOld = reader.page({ object: 'web-01' }).items;
    expect(byOld.map((r) => `${r.moid}:${r.field ?? r.kind}`)).toEqual([
      'vm-9:created',
      'vm-1:powerState',
      'vm-1:name',
      'vm-1:memoryMb',
      'vm-1:created',
    ]);
    // The current name finds vm-1 (in the live table and in its later rows) and no other object.
    const byNew = reader.page({ object: 'WEB-01-OLD' }).items;
    expect(new Set(byNew.map((r) => r.moid))).toEqual(new Set(['vm-1']));
    expect(byNew.every((r) => r.vcenterId === vc1)).toBe(true);
    expect(byNew).toHaveLength(4);
    expect(reader.page({ object: 'web-01', entity: 'hosts' }).items).toEqual([]);
    expect(reader.page({ object: 'nothing-like-it' })).toMatchObject({
      items: [],
      counts: { changed: 0, created: 0, removed: 0, 'first-sync': 0 },
    });
  });

  it('reads one object by key, and the last change of a page of objects', () => {
    const { vc1, vc2 } = seedSmall();
    const p = reader.page({ vcenterId: vc1, moid: 'vm-2' });
    expect(p.items.map((r) => r.field)).toEqual(['disk 1 capacityBytes', 'disk 2 capacityBytes']);
    const last = reader.lastChanged([
      { vcenterId: vc1, moid: 'vm-1' },
      { vcenterId: vc2, moid: 'vm-1' },
      { vcenterId: vc1, moid: 'vm-404' },
    ]);
    expect(Object.fromEntries(last)).toEqual({ [`${vc1}:vm-1`]: h(20), [`${vc2}:vm-1`]: h(2) });
  });

  it('refuses bad input with a clear message', () => {
    seedSmall();
    expect(() => reader.page({ cursor: 'not-a-cursor' })).toThrow(/cursor is not valid/);
    expect(() => reader.page({ since: '1d', until: '2d' })).toThrow(/since .* must be before until/);
    expect(() => reader.page({ moid: 'vm-1' })).toThrow(/give both vcenterId and moid/);
    expect(() => reader.page({ since: 'soon' })).toThrow(/since "soon" is not a time/);
  });
});
