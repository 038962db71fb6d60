/**
 * Plan tests: what each question is understood as (the plan, the correction, the answer kind),
 * over a generated cache (no simulator): vc-ams-01 / vc-fra-01, clusters ams01-Prod-A and
 * fra01-Prod-A, hosts esxNN.ams01.corp.example, datastores ds-ssd-01…, VMs ams01-app-dev-001….
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter, QueryPlan } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { QueryService } from './query-service.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

let dir: string;
let opened: OpenedDatabase;
let qe: QueryService;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-parser-'));
  opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 2,
    vmsTotal: 300,
    hostsTotal: 16,
    datastoresTotal: 8,
    seed: 3,
    now: NOW.getTime(),
  });
  qe = new QueryService({ sqlite: opened.sqlite, now: () => NOW });
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const eq = (field: string, value: string | number | boolean): Filter => ({
  kind: 'cmp',
  field,
  op: 'eq',
  value,
});
const cmp = (field: string, op: 'lt' | 'lte' | 'gt' | 'gte', value: number | string): Filter => ({
  kind: 'cmp',
  field,
  op,
  value,
});
const text = (
  field: string,
  op: 'equals' | 'contains' | 'startsWith' | 'endsWith' | 'glob',
  value: string,
): Filter => ({ kind: 'text', field, op, value });
const and = (...filters: Filter[]): Filter => ({ kind: 'and', filters });
/** A guest OS phrase: the configured or reported full name, or the guest id. */
const guestOs = (names: string[], ids: string[]): Filter => ({
  kind: 'or',
  filters: [
    ...names.flatMap((n) => [
      text('guestFullName', 'contains', n),
      text('guestFullNameReported', 'contains', n),
    ]),
    ...ids.map((id) => text('guestId', 'glob', id)),
  ],
});
const GB = 1024;

const PLANS: [string, QueryPlan][] = [
  ['get all powered on VMs', { entity: 'vms', filter: eq('powerState', 'poweredOn') }],
  ['show me hosts with no vms', { entity: 'hosts', filter: eq('vmCount', 0) }],
  ['get all empty datastores', { entity: 'datastores', filter: eq('vmCount', 0) }],
  ['list vms in cluster ams01-Prod-A', { entity: 'vms', filter: text('cluster', 'equals', 'ams01-Prod-A') }],
  [
    'count powered off vms',
    { entity: 'vms', filter: eq('powerState', 'poweredOff'), aggregate: { fn: 'count' } },
  ],
  ['how many hosts', { entity: 'hosts', aggregate: { fn: 'count' } }],
  ['count vms by cluster', { entity: 'vms', groupBy: 'cluster', aggregate: { fn: 'count' } }],
  ['vms per datastore', { entity: 'vms', groupBy: 'datastores', aggregate: { fn: 'count' } }],
  [
    'total memory of vms in cluster ams01-Prod-A',
    {
      entity: 'vms',
      filter: text('cluster', 'equals', 'ams01-Prod-A'),
      aggregate: { fn: 'sum', field: 'memoryMb' },
    },
  ],
  ['average cpu per host', { entity: 'hosts', aggregate: { fn: 'avg', field: 'numCpuCores' } }],
  ['list virtual machines', { entity: 'vms' }],
  ['show servers', { entity: 'vms' }],
  ['list hypervisors', { entity: 'hosts' }],
  ['show luns', { entity: 'datastores' }],
  ['list volumes', { entity: 'datastores' }],
  ['show storage', { entity: 'datastores' }],
  ['list portgroups', { entity: 'networks' }],
  ['templates', { entity: 'vms', filter: eq('template', true) }],
  ['disconnected esxi hosts', { entity: 'hosts', filter: eq('connectionState', 'disconnected') }],
  ['hosts in maintenance mode', { entity: 'hosts', filter: eq('inMaintenanceMode', true) }],
  ['vms with tools not running', { entity: 'vms', filter: eq('toolsRunningStatus', 'guestToolsNotRunning') }],
  ['clusters without HA', { entity: 'clusters', filter: eq('haEnabled', false) }],
  ['clusters with no drs', { entity: 'clusters', filter: eq('drsEnabled', false) }],
  ['clusters with ha disabled', { entity: 'clusters', filter: eq('haEnabled', false) }],
  ['clusters with drs enabled', { entity: 'clusters', filter: eq('drsEnabled', true) }],
  ['vms with more than 8 cpus', { entity: 'vms', filter: cmp('numCpu', 'gt', 8) }],
  ['vms with atleast 4 cpus', { entity: 'vms', filter: cmp('numCpu', 'gte', 4) }],
  ['vms with 8 vcpus or more', { entity: 'vms', filter: cmp('numCpu', 'gte', 8) }],
  ['vms with 2gb memory or less', { entity: 'vms', filter: cmp('memoryMb', 'lte', 2 * GB) }],
  ['vms with at least 16 GB of memory', { entity: 'vms', filter: cmp('memoryMb', 'gte', 16 * GB) }],
  ['vms with memory over 32gb', { entity: 'vms', filter: cmp('memoryMb', 'gt', 32 * GB) }],
  ['vms with memory over 32', { entity: 'vms', filter: cmp('memoryMb', 'gt', 32 * GB) }],
  ['datastores with less than 10% free', { entity: 'datastores', filter: cmp('freePercent', 'lt', 10) }],
  ['datastores over 2 TB', { entity: 'datastores', filter: cmp('capacityBytes', 'gt', 2 * 1024 ** 4) }],
  [
    'vms with between 4 and 8 vcpus',
    { entity: 'vms', filter: { kind: 'between', field: 'numCpu', min: 4, max: 8 } },
  ],
  [
    'vms with snapshots older than 30 days',
    { entity: 'vms', filter: cmp('oldestSnapshotAt', 'lt', daysAgo(30)) },
  ],
  ['snapshots older than 2 weeks', { entity: 'snapshots', filter: cmp('createdAt', 'lt', daysAgo(14)) }],
  ['vms named web*', { entity: 'vms', filter: text('name', 'glob', 'web*') }],
  ['vms containing sql', { entity: 'vms', filter: text('name', 'contains', 'sql') }],
  ['vms with name containing sql', { entity: 'vms', filter: text('name', 'contains', 'sql') }],
  ['vms starting with prod', { entity: 'vms', filter: text('name', 'startsWith', 'prod') }],
  ['vms ending with 01', { entity: 'vms', filter: text('name', 'endsWith', '01') }],
  ['show vm ams01-app-dev-001', { entity: 'vms', filter: text('name', 'equals', 'ams01-app-dev-001') }],
  ['windows vms', { entity: 'vms', filter: guestOs(['windows'], ['win*']) }],
  ['ubuntu vms', { entity: 'vms', filter: guestOs(['ubuntu'], ['ubuntu*']) }],
  [
    'windows server 2019 vms',
    { entity: 'vms', filter: guestOs(['windows server 2019'], ['windows2019srv_64Guest']) },
  ],
  ['vms without an ip', { entity: 'vms', filter: { kind: 'empty', field: 'ipAddress', empty: true } }],
  ['vms with no snapshots', { entity: 'vms', filter: eq('snapshotCount', 0) }],
  ['top 10 vms by memory', { entity: 'vms', sort: [{ field: 'memoryMb', dir: 'desc' }], limit: 10 }],
  ['largest datastores', { entity: 'datastores', sort: [{ field: 'capacityBytes', dir: 'desc' }] }],
  ['5 fullest datastores', { entity: 'datastores', sort: [{ field: 'freePercent', dir: 'asc' }], limit: 5 }],
  ['hosts sorted by vm count', { entity: 'hosts', sort: [{ field: 'vmCount', dir: 'desc' }] }],
  [
    'powered on windows vms in cluster ams01-Prod-A',
    {
      entity: 'vms',
      filter: and(
        eq('powerState', 'poweredOn'),
        guestOs(['windows'], ['win*']),
        text('cluster', 'equals', 'ams01-Prod-A'),
      ),
    },
  ],
  [
    'vms not in cluster ams01-Prod-A',
    { entity: 'vms', filter: { kind: 'not', filter: text('cluster', 'equals', 'ams01-Prod-A') } },
  ],
  [
    'vms in cluster ams01-prod-a or fra01-prod-a',
    {
      entity: 'vms',
      filter: {
        kind: 'or',
        filters: [text('cluster', 'equals', 'ams01-Prod-A'), text('cluster', 'equals', 'fra01-Prod-A')],
      },
    },
  ],
  ['vms in vcenter vc-fra-01', { entity: 'vms', filter: text('vcenter', 'equals', 'vc-fra-01') }],
  ['vms in Frankfurt', { entity: 'vms', filter: text('datacenter', 'equals', 'Frankfurt') }],
  ['vms on datastore ds-ssd-01', { entity: 'vms', filter: text('datastores', 'equals', 'ds-ssd-01') }],
  ['hosts in ams01-Prod-A', { entity: 'hosts', filter: text('cluster', 'equals', 'ams01-Prod-A') }],
  // A typo in a name is matched to the closest real one.
  ['vms in cluster ams01-prdo-a', { entity: 'vms', filter: text('cluster', 'equals', 'ams01-Prod-A') }],
];

describe('parser: questions → plans', () => {
  it.each(PLANS)('%s', (question, plan) => {
    const out = qe.parse(question);
    expect(out.problem?.message).toBeUndefined();
    expect(out.plan).toEqual(plan);
  });
});

describe('spelling', () => {
  it.each([
    ['shoe me all powred on vms', 'show me all powered on vms'],
    ['get all emty datastors', 'get all empty datastores'],
    ['lsit hsots', 'list hosts'],
    ['how mnay vms', 'how many vms'],
    ['vms with more then 8 cpus', 'vms with more than 8 cpus'],
  ])('%s → %s', (q, fixed) => {
    expect(qe.parse(q).correctedQuestion).toBe(fixed);
  });

  it.each([
    'hosts with no vms',
    'vms on host esx01.ams01.corp.example',
    'vm ams01-app-dev-001',
    'vms with 16 gb of memory',
    'vms in cluster ams01-Prod-A',
    'vms on VLAN-134-Prod-Web',
    'no vms',
    'on vms',
    'vms in Amsterdam',
    'datastores named nfs-iso-01',
    'vms with 3 cpus',
  ])('leaves valid input alone: %s', (q) => {
    expect(qe.parse(q).correctedQuestion).toBeUndefined();
  });
});

describe('answer kinds', () => {
  it('refuses change requests', () => {
    for (const q of [
      'delete all vms',
      'power off host esx01.ams01.corp.example',
      'please reboot ams01-app-dev-001',
      'shut down all vms',
      'vmotion ams01-app-dev-001',
    ]) {
      const a = qe.ask({ question: q });
      expect(a.kind, q).toBe('refused');
      expect(a.rows).toEqual([]);
    }
  });

  it('asks which one when two names are equally close', () => {
    const a = qe.ask({ question: 'vms on host esx0.ams01.corp.example' });
    expect(a.kind).toBe('clarify');
    expect(a.suggestions).toEqual(
      expect.arrayContaining(['esx01.ams01.corp.example', 'esx02.ams01.corp.example']),
    );
    expect(a.message).toMatch(/^Did you mean host .* or /);
  });

  it('says "not understood" with suggestions, never an empty table', () => {
    for (const q of [
      'blah blah',
      'the quick brown fox',
      'vms in cluster zzzzzz',
      '?',
      'vms with more than 8',
    ]) {
      const a = qe.ask({ question: q });
      expect(a.kind, q).toBe('not_understood');
      expect(a.rows).toEqual([]);
      expect(a.suggestions?.length, q).toBeGreaterThan(0);
    }
  });

  it('finds a VM by name, typo or IP', () => {
    const ip = opened.sqlite
      .prepare("SELECT ip_address FROM vms WHERE name = 'ams01-app-dev-001'")
      .pluck()
      .get() as string | null;
    const questions = ['where is ams01-app-dev-001', 'find ams01-ap-dev-001', ...(ip ? [ip] : [])];
    for (const q of questions) {
      const a = qe.ask({ question: q });
      expect(a.kind, q).toBe('find');
      expect(a.rows[0], q).toMatchObject({ name: 'ams01-app-dev-001', vcenter: 'vc-ams-01' });
    }
  });

  it('follow-ups refine the previous plan; "export that" exports it', () => {
    const c = qe.ask({ question: 'vms in cluster ams01-Prod-A' }).conversationId;
    const ask = (question: string) => qe.ask({ question, conversationId: c });
    expect(ask('only the powered off ones').plan).toEqual({
      entity: 'vms',
      filter: and(text('cluster', 'equals', 'ams01-Prod-A'), eq('powerState', 'poweredOff')),
    });
    expect(ask('and in cluster fra01-Prod-A?').plan).toEqual({
      entity: 'vms',
      filter: and(eq('powerState', 'poweredOff'), text('cluster', 'equals', 'fra01-Prod-A')),
    });
    expect(ask('sort them by cpu').plan?.sort).toEqual([{ field: 'numCpu', dir: 'desc' }]);
    const exp = ask('export that');
    expect(exp.kind).toBe('export');
    expect(exp.plan?.filter).toEqual(
      and(eq('powerState', 'poweredOff'), text('cluster', 'equals', 'fra01-Prod-A')),
    );
    const n = ask('how many?');
    expect(n.kind).toBe('count');
    expect(n.value).toBe(exp.total);
    // A narrowing follow-up keeps the count; "show them" lists the same rows.
    const narrowed = ask('only the windows ones');
    expect(narrowed.kind).toBe('count');
    const shown = ask('show them');
    expect(shown.kind).toBe('rows');
    expect(shown.total).toBe(narrowed.value);
  });
});

describe('"by" a category is a breakdown, "by" after top/sorted is an order', () => {
  it('groups "vms by power state" and "hosts by esxi version", orders "top 10 vms by memory"', () => {
    expect(qe.parse('vms by power state').plan).toEqual({
      entity: 'vms',
      groupBy: 'powerState',
      aggregate: { fn: 'count' },
    });
    expect(qe.parse('hosts by esxi version').plan).toEqual({
      entity: 'hosts',
      groupBy: 'esxiVersion',
      aggregate: { fn: 'count' },
    });
    expect(qe.parse('top 10 vms by memory').plan).toEqual({
      entity: 'vms',
      sort: [{ field: 'memoryMb', dir: 'desc' }],
      limit: 10,
    });
    expect(qe.parse('vms sorted by cluster').plan).toEqual({
      entity: 'vms',
      sort: [{ field: 'cluster', dir: 'asc' }],
    });
  });
});
