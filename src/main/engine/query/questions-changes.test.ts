/**
 * Questions about the change history, as ops engineers type them, over a generated cache with
 * seeded history (real SQLite). Each answer is checked against the history table itself: the rows
 * a question should find, by SQL written here, are exactly the rows the answer counts.
 *
 * Decided: "<entity> created <when>" keeps meaning the entity's creation date (vms.createdAt);
 * the history answers questions that say something changed, happened, was powered off, entered
 * or left maintenance, was removed/deleted in a time window, renamed or moved — and "what was
 * created". "Powered on since monday" stays the VMs on now and booted since then, as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { insertChanges, randomChanges } from '../../../testing/changes-seed.js';
import { QueryService } from './query-service.js';

// A Wednesday, midday (local time is where "today" and "this week" start).
const NOW = new Date(2026, 2, 4, 12, 0, 0);
const DAY = 86_400_000;

function startOfDay(offset: number): string {
  const d = new Date(NOW);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + offset);
  return d.toISOString();
}
function startOfWeek(offset: number): string {
  const d = new Date(NOW);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 7 * offset);
  return d.toISOString();
}
function startOfMonth(offset: number): string {
  const d = new Date(NOW);
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  d.setMonth(d.getMonth() + offset);
  return d.toISOString();
}
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

let dir: string;
let opened: OpenedDatabase;
let qe: QueryService;
let vc1: { id: number; name: string };
let liveVm: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-qchanges-'));
  opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 2,
    vmsTotal: 120,
    hostsTotal: 8,
    datastoresTotal: 4,
    seed: 5,
    now: NOW.getTime(),
  });
  const vcs = opened.sqlite.prepare('SELECT id, name FROM vcenters ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  vc1 = vcs[0]!;
  const vm = opened.sqlite
    .prepare('SELECT moid, name FROM vms WHERE vcenter_id = ? ORDER BY name LIMIT 1')
    .get(vc1.id) as {
    moid: string;
    name: string;
  };
  liveVm = vm.name;
  insertChanges(
    opened.sqlite,
    randomChanges({ n: 800, now: NOW, days: 45, seed: 11, vcenters: 2, objects: 60 }).map((r) => ({
      ...r,
      vcenterId: vcs[r.vcenterId - 1]!.id,
      vcenter: vcs[r.vcenterId - 1]!.name,
    })),
  );
  const base = { vcenterId: vc1.id, vcenter: vc1.name, entity: 'vms', source: 'live' as const };
  insertChanges(opened.sqlite, [
    // web-01 was renamed web-01-old; its history stays joined by its moid.
    {
      ...base,
      at: ago(20 * DAY),
      moid: 'vm-w1',
      objectName: 'web-01',
      kind: 'created',
      newValue: '{"name":"web-01"}',
    },
    {
      ...base,
      at: ago(3 * DAY),
      moid: 'vm-w1',
      objectName: 'web-01',
      kind: 'changed',
      field: 'memoryMb',
      oldValue: '4096',
      newValue: '8192',
    },
    {
      ...base,
      at: ago(2 * DAY),
      moid: 'vm-w1',
      objectName: 'web-01',
      kind: 'changed',
      field: 'name',
      oldValue: 'web-01',
      newValue: 'web-01-old',
    },
    {
      ...base,
      at: ago(2 * 3_600_000),
      moid: 'vm-w1',
      objectName: 'web-01-old',
      kind: 'changed',
      field: 'powerState',
      oldValue: 'poweredOn',
      newValue: 'poweredOff',
    },
    // A VM of the cache, by its current name.
    {
      ...base,
      at: ago(3_600_000),
      moid: vm.moid,
      objectName: vm.name,
      kind: 'changed',
      field: 'numCpu',
      oldValue: '2',
      newValue: '4',
    },
    {
      ...base,
      entity: 'datastores',
      at: ago(5 * 3_600_000),
      moid: 'ds-9',
      objectName: 'ds-nine',
      kind: 'changed',
      field: 'capacityBytes',
      oldValue: '1',
      newValue: '2',
    },
  ]);
  insertChanges(opened.sqlite, [
    {
      ...base,
      entity: 'hosts',
      at: ago(DAY),
      moid: 'host-m',
      objectName: 'esx-m',
      kind: 'changed',
      field: 'inMaintenanceMode',
      oldValue: 'false',
      newValue: 'true',
    },
    {
      ...base,
      at: ago(20 * 3_600_000),
      moid: 'vm-gone',
      objectName: 'old-app',
      kind: 'removed',
      oldValue: '{"name":"old-app"}',
      source: 'sync',
    },
  ]);
  qe = new QueryService({ sqlite: opened.sqlite, now: () => NOW });
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The ids of the history rows matching a WHERE clause, newest first. */
function ids(where: string, ...params: (string | number)[]): number[] {
  return opened.sqlite
    .prepare(`SELECT id FROM changes WHERE ${where} ORDER BY at DESC, id DESC`)
    .pluck()
    .all(...params) as number[];
}

/** The question is answered from the history with exactly these rows (total, and the first page). */
function expectHistory(question: string, expected: number[]): Answer {
  const a = qe.ask({ question });
  expect(a.understood, `${question}: ${a.interpretation} ${a.message ?? ''}`).toBe(true);
  expect(a.plan?.entity, question).toBe('changes');
  expect(expected.length, `${question}: the seeded history has rows for it`).toBeGreaterThan(0);
  if (a.kind === 'count') {
    expect(a.value, question).toBe(expected.length);
    return a;
  }
  expect(a.kind, question).toBe('rows');
  expect(a.total, question).toBe(expected.length);
  expect(
    a.rows.map((r) => r['id']),
    question,
  ).toEqual(expected.slice(0, a.rows.length));
  return a;
}

describe('questions about what changed', () => {
  it('anything that changed, by time', () => {
    expectHistory('what changed since yesterday', ids('at >= ?', startOfDay(-1)));
    expectHistory('what changed today', ids('at >= ?', startOfDay(0)));
    expectHistory('What has changed in the last 24 hours?', ids('at >= ?', ago(DAY)));
    expectHistory('show me the changes since monday', ids('at >= ?', startOfWeek(0)));
    expectHistory('changes this week', ids('at >= ?', startOfWeek(0)));
    expectHistory('any changes in the last 7 days', ids('at >= ?', ago(7 * DAY)));
  });

  it('power changes', () => {
    const off = "entity = 'vms' AND field = 'powerState' AND new_value = 'poweredOff'";
    expectHistory('which vms were powered off today', ids(`${off} AND at >= ?`, startOfDay(0)));
    expectHistory(
      'vms powered off yesterday',
      ids(`${off} AND at >= ? AND at < ?`, startOfDay(-1), startOfDay(0)),
    );
    expectHistory('how many vms were powered off this week', ids(`${off} AND at >= ?`, startOfWeek(0)));
    expectHistory('power state changes this week', ids("field = 'powerState' AND at >= ?", startOfWeek(0)));
  });

  it('maintenance mode', () => {
    const into = "entity = 'hosts' AND field = 'inMaintenanceMode' AND new_value = 'true'";
    expectHistory('hosts that entered maintenance this month', ids(`${into} AND at >= ?`, startOfMonth(0)));
    expectHistory(
      'which hosts entered maintenance mode this week',
      ids(`${into} AND at >= ?`, startOfWeek(0)),
    );
    expectHistory(
      'hosts that went into maintenance last week',
      ids(`${into} AND at >= ? AND at < ?`, startOfWeek(-1), startOfWeek(0)),
    );
    expectHistory(
      'hosts that exited maintenance mode this month',
      ids(
        "entity = 'hosts' AND field = 'inMaintenanceMode' AND new_value = 'false' AND at >= ?",
        startOfMonth(0),
      ),
    );
  });

  it('a field that changed', () => {
    expectHistory(
      'vms whose memory was changed last week',
      ids("entity = 'vms' AND field = 'memoryMb' AND at >= ? AND at < ?", startOfWeek(-1), startOfWeek(0)),
    );
    expectHistory(
      'vms with cpu changes this month',
      ids("entity = 'vms' AND field = 'numCpu' AND at >= ?", startOfMonth(0)),
    );
    expectHistory(
      'which vms moved host this week',
      ids("entity = 'vms' AND field = 'host' AND at >= ?", startOfWeek(0)),
    );
    expectHistory(
      'vms renamed this month',
      ids("entity = 'vms' AND field = 'name' AND at >= ?", startOfMonth(0)),
    );
    expectHistory(
      'datastores changed this week',
      ids("entity = 'datastores' AND kind = 'changed' AND at >= ?", startOfWeek(0)),
    );
  });

  it('objects created and removed', () => {
    expectHistory(
      'which vms were removed this week',
      ids("entity = 'vms' AND kind = 'removed' AND at >= ?", startOfWeek(0)),
    );
    expectHistory(
      'vms deleted yesterday',
      ids("entity = 'vms' AND kind = 'removed' AND at >= ? AND at < ?", startOfDay(-1), startOfDay(0)),
    );
    expectHistory('what was created this week', ids("kind = 'created' AND at >= ?", startOfWeek(0)));
  });

  it('one object, by its current or a past name', () => {
    const w1 = ids("vcenter_id = ? AND moid = 'vm-w1'", vc1.id);
    expectHistory('what happened to web-01', w1);
    expectHistory('what happened to web-01-old', w1);
    expectHistory('history of web-01', w1);
    expectHistory(
      'changes to web-01 since yesterday',
      ids("vcenter_id = ? AND moid = 'vm-w1' AND at >= ?", vc1.id, startOfDay(-1)),
    );
    const a = expectHistory(`what happened to ${liveVm}`, ids('object_name = ? COLLATE NOCASE', liveVm));
    expect(a.rows[0]).toMatchObject({ object: liveVm, field: 'numCpu', old: '2', new: '4', kind: 'changed' });
  });

  it('counts and a vCenter', () => {
    expectHistory('how many changes today', ids('at >= ?', startOfDay(0)));
    expectHistory(
      `what changed in vcenter ${vc1.name} today`,
      ids('vcenter = ? AND at >= ?', vc1.name, startOfDay(0)),
    );
  });
});

describe('questions that must not be misread', () => {
  it('"vms created this week" is the VMs created this week (their creation date), not the history', () => {
    const a = qe.ask({ question: 'vms created this week' });
    expect(a.understood).toBe(true);
    expect(a.plan?.entity).toBe('vms');
    expect(JSON.stringify(a.plan?.filter)).toContain('createdAt');
  });

  it('the present state stays the inventory', () => {
    for (const [q, entity] of [
      ['which vms are powered off', 'vms'],
      ['powered off vms', 'vms'],
      ['hosts in maintenance mode', 'hosts'],
      // Powered on since a day: on now and booted since then (as the inventory questions read it).
      ['what vms got powered on this week', 'vms'],
    ] as const) {
      const a = qe.ask({ question: q });
      expect(a.understood, q).toBe(true);
      expect(a.plan?.entity, q).toBe(entity);
    }
  });

  it('a request to change something is still refused', () => {
    expect(qe.ask({ question: 'power off web-01' }).kind).toBe('refused');
  });

  it('words the history cannot answer are named, never dropped', () => {
    for (const [q, word] of [
      ['which vms were powered off by bob today', 'bob'],
      ['what changed on mars today', 'mars'],
      ['vms whose memory changed twice this week', 'twice'],
      // Deleted ever: more than the history keeps (it answers "vms deleted this week").
      ['vms that were deleted', 'deleted'],
    ] as const) {
      const a = qe.ask({ question: q });
      expect(a.understood, `${q}: ${a.interpretation}`).toBe(false);
      expect(a.rows, q).toEqual([]);
      expect((a.unknownWords ?? []).join(' ') + (a.message ?? ''), q).toContain(word);
    }
  });
});

describe('the changes entity in a plan', () => {
  it('finds a vCenter by the name it had then or the one it has now', () => {
    const recorded = ids('vcenter = ?', vc1.name);
    opened.sqlite.prepare('UPDATE vcenters SET name = ? WHERE id = ?').run('vc-renamed', vc1.id);
    try {
      for (const name of [vc1.name, 'VC-RENAMED']) {
        const r = qe.execute({
          entity: 'changes',
          filter: { kind: 'text', field: 'vcenter', op: 'equals', value: name },
        });
        expect(r.total, name).toBe(recorded.length);
      }
    } finally {
      opened.sqlite.prepare('UPDATE vcenters SET name = ? WHERE id = ?').run(vc1.name, vc1.id);
    }
  });
});
