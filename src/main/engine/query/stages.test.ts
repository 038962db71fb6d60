/**
 * The parser's stages on their own: tokenizing (contractions, versions, ISO dates), normalizing
 * (number words, "non-"), the leftovers policy, date phrases and their bounds, and what each
 * recogniser makes of a phrase (with a fixed list of names instead of an inventory).
 */
import { describe, expect, it } from 'vitest';
import type { Atom, DateRange } from './atoms.js';
import { resolveBound, resolveDateRange } from './dates.js';
import { FILLER_WORDS, unknownWords } from './leftovers.js';
import { normalizeTokens } from './normalize.js';
import type { NameLookup } from './parse-state.js';
import { parseQuestion } from './parser.js';
import { tokenize, type Token } from './tokenize.js';

const NAMES = new Set(['prod-a', 'esx07.lab', 'web-01', 'lon-uat']);
const names: NameLookup = {
  isName: (t) => NAMES.has(t),
  longestName: (tokens: readonly Token[], start: number) => (NAMES.has(tokens[start]?.norm ?? '') ? 1 : 0),
};
const parse = (q: string) =>
  parseQuestion(
    normalizeTokens(tokenize(q), (w) => NAMES.has(w)),
    names,
  );
const atoms = (q: string): Atom[] => parse(q).atoms;

describe('tokenize and normalize', () => {
  it('expands contractions and keeps versions and ISO dates whole', () => {
    expect(tokenize("clusters that don't have drs").map((t) => t.norm)).toEqual([
      'clusters',
      'that',
      'do',
      'not',
      'have',
      'drs',
    ]);
    expect(tokenize("hosts that aren't on esxi 7.0.3").map((t) => t.norm)).toContain('7.0.3');
    expect(tokenize('since 2026-11-01').map((t) => t.norm)).toEqual(['since', '2026-11-01']);
  });

  it('turns number words into numbers where they count something', () => {
    const norm = (q: string): string[] => normalizeTokens(tokenize(q), () => false).map((t) => t.norm);
    expect(norm('older than six months')).toEqual(['older', 'than', '6', 'months']);
    expect(norm('more than one snapshot')).toEqual(['more', 'than', '1', 'snapshot']);
    expect(norm('older than a week')).toEqual(['older', 'than', '1', 'week']);
    expect(norm('only the ones with a single snapshot')).toEqual([
      'only',
      'the',
      'ones',
      'with',
      '1',
      'snapshot',
    ]);
    expect(norm('non-windows vms')).toEqual(['non', 'windows', 'vms']);
    expect(norm('power-off vms')).toEqual(['power', 'off', 'vms']);
  });
});

describe('the leftovers policy', () => {
  it('drops fillers, reports every other word and a dangling glue word', () => {
    const t = tokenize('show me the big vms with');
    expect(unknownWords(t, [0, 1, 2, 3, 5])).toEqual(['big', 'with']);
  });

  it('has no restricting word among the fillers', () => {
    for (const w of [
      'big',
      'old',
      'many',
      'prod',
      'not',
      'no',
      'without',
      'except',
      'than',
      'more',
      'less',
      'recent',
    ])
      expect(FILLER_WORDS.has(w), w).toBe(false);
  });
});

describe('date phrases', () => {
  // A Wednesday afternoon, local time.
  const now = new Date(2026, 11, 2, 15, 30);
  const at = (b: Parameters<typeof resolveBound>[0]): Date => resolveBound(b, now);

  it('resolves calendar bounds in local time', () => {
    expect(at({ startOf: 'day', offset: 0 })).toEqual(new Date(2026, 11, 2));
    expect(at({ startOf: 'day', offset: -1 })).toEqual(new Date(2026, 11, 1));
    expect(at({ startOf: 'week', offset: 0 })).toEqual(new Date(2026, 10, 30));
    expect(at({ startOf: 'week', offset: -1 })).toEqual(new Date(2026, 10, 23));
    expect(at({ startOf: 'month', offset: -1 })).toEqual(new Date(2026, 10, 1));
    expect(at({ startOf: 'year', offset: 0 })).toEqual(new Date(2026, 0, 1));
    expect(at({ weekday: 1 })).toEqual(new Date(2026, 10, 30));
    expect(at({ weekday: 3 })).toEqual(new Date(2026, 11, 2));
    expect(at({ month: 11, day: 1 })).toEqual(new Date(2026, 10, 1));
    // A day later in the year than today is last year's.
    expect(at({ month: 12, day: 25 })).toEqual(new Date(2025, 11, 25));
    expect(at({ daysAgo: 7 })).toEqual(new Date(now.getTime() - 7 * 86_400_000));
  });

  const range = (q: string): DateRange | undefined => {
    const a = atoms(q).find((x) => x.t === 'when');
    return a?.t === 'when' ? a.range : undefined;
  };

  it.each<[string, DateRange]>([
    [
      'snapshots created last week',
      { from: { startOf: 'week', offset: -1 }, to: { startOf: 'week', offset: 0 } },
    ],
    ['snapshots from the past 2 weeks', { from: { daysAgo: 14 } }],
    ['snapshots in the last week', { from: { daysAgo: 7 } }],
    ['snapshots this month', { from: { startOf: 'month', offset: 0 } }],
    ['snapshots since monday', { from: { weekday: 1 } }],
    ['snapshots since 1 nov', { from: { month: 11, day: 1 } }],
    ['snapshots since nov 1st', { from: { month: 11, day: 1 } }],
    ['snapshots before 2025', { to: { year: 2025, month: 1, day: 1 } }],
    ['snapshots older than six months', { to: { daysAgo: 180 } }],
    ['snapshots less than 30 days old', { from: { daysAgo: 30 } }],
    ['snapshots made yesterday', { from: { startOf: 'day', offset: -1 }, to: { startOf: 'day', offset: 0 } }],
    ['hosts up for more than 200 days', { to: { daysAgo: 200 } }],
    ['hosts not rebooted in 100 days', { to: { daysAgo: 100 } }],
    ['vms booted more than a year ago', { to: { daysAgo: 365 } }],
  ])('%s', (q, want) => {
    expect(range(q)).toEqual(want);
    expect(parse(q).unknown).toEqual([]);
  });

  it('gives ISO bounds, from inclusive and to exclusive', () => {
    expect(resolveDateRange({ from: { startOf: 'day', offset: 0 } }, now)).toEqual({
      from: new Date(2026, 11, 2).toISOString(),
    });
  });
});

describe('recognisers', () => {
  it('negation applies to the next condition only', () => {
    expect(atoms('non-windows vms')).toEqual([expect.objectContaining({ t: 'os', negated: true })]);
    expect(atoms('vms except templates')).toEqual([{ t: 'state', key: 'template', negated: true }]);
    expect(atoms('vms other than linux')[0]).toMatchObject({ t: 'os', negated: true });
    expect(atoms('vms outside cluster prod-a')[0]).toMatchObject({
      t: 'rel',
      value: 'prod-a',
      negated: true,
    });
    expect(parse('vms that are not').unknown).toEqual(['not']);
  });

  it('tools states, HA / DRS, datastore types, ESXi versions', () => {
    expect(atoms('vms with tools stopped')).toEqual([{ t: 'state', key: 'toolsNotRunning', negated: false }]);
    expect(atoms('vms with no tools')).toEqual([{ t: 'state', key: 'toolsNotInstalled', negated: false }]);
    expect(atoms('vms with unhealthy tools')).toEqual([
      { t: 'state', key: 'toolsUnhealthy', negated: false },
    ]);
    expect(atoms('vms whose tools need an upgrade')).toEqual([
      { t: 'state', key: 'toolsOld', negated: false },
    ]);
    expect(atoms('clusters where ha is not enabled')).toEqual([{ t: 'state', key: 'haOff', negated: false }]);
    expect(atoms('drs disabled clusters')).toEqual([{ t: 'state', key: 'drsOff', negated: false }]);
    expect(atoms('nfs datastores')).toEqual([
      { t: 'dstype', types: ['NFS', 'NFS41'], label: 'nfs', negated: false },
    ]);
    expect(atoms('hosts running esxi 7.0.3')).toEqual([{ t: 'esxi', version: '7.0.3', negated: false }]);
  });

  it('guest OS over full names and guest ids', () => {
    expect(atoms('vms running rhel 8')).toEqual([
      {
        t: 'os',
        match: { names: ['red hat enterprise linux 8'], ids: ['rhel8_*', 'rhel8Guest'] },
        label: 'rhel 8',
        negated: false,
      },
    ]);
    expect(atoms('windows 2022 vms')[0]).toMatchObject({
      t: 'os',
      match: { ids: ['windows2019srvNext_64Guest', 'windows2022srvNext_64Guest'] },
    });
  });

  it('order: top-N, singular superlatives, top groups, per-unit averages', () => {
    expect(parse('the 4 datastores with the most vms')).toMatchObject({
      entity: 'datastores',
      limit: 4,
      sort: { fieldWord: 'vms', dir: 'desc' },
    });
    expect(parse('cluster with the fewest hosts')).toMatchObject({
      limit: 1,
      sort: { fieldWord: 'hosts', dir: 'asc' },
    });
    expect(parse('which cluster has the most powered off vms')).toMatchObject({
      entity: 'vms',
      groupWord: 'cluster',
      intent: 'count',
      limit: 1,
      groupTop: { dir: 'desc', groupWord: 'cluster' },
    });
    // The engine reads "per vm" as the unit when no other entity is named (see query-engine).
    expect(parse('average vcpus per vm')).toMatchObject({
      intent: 'aggregate',
      aggregateFn: 'avg',
      aggregateFieldWord: 'vcpus',
      groupWord: 'vm',
    });
    expect(parse('average vcpus of vms per vm')).toMatchObject({ entity: 'vms', groupWord: undefined });
  });

  it('names: in-name phrases, a VM name anywhere, the same host as', () => {
    expect(atoms('vms with sql in their name')).toEqual([
      { t: 'name', op: 'contains', value: 'sql', negated: false },
    ]);
    expect(atoms("vms whose name doesn't contain web")).toEqual([
      { t: 'name', op: 'contains', value: 'web', negated: true },
    ]);
    expect(atoms('which host runs web-01')).toEqual([
      { t: 'rel', target: undefined, value: 'web-01', glob: false, negated: false },
    ]);
    expect(atoms('vms on the same host as web-01')).toEqual([
      { t: 'sameAs', target: 'hosts', vm: 'web-01', negated: false },
    ]);
  });

  it('"and" between two values of one attribute means either', () => {
    expect(parse('windows and linux vms').connectors).toEqual(['or']);
    expect(parse('suspended and powered off vms').connectors).toEqual(['or']);
    expect(parse('windows vms that are powered off').connectors).toEqual(['and']);
    expect(parse('vms in prod-a and lon-uat')).toMatchObject({
      connectors: ['or'],
      atoms: [{ t: 'rel' }, { t: 'rel' }],
    });
  });

  it('aggregates in plain words', () => {
    expect(parse('how much memory do the vms in cluster prod-a use in total')).toMatchObject({
      intent: 'aggregate',
      aggregateFn: 'sum',
      aggregateFieldWord: 'memory',
      unknown: [],
    });
    expect(parse('how much storage do templates use')).toMatchObject({ aggregateFieldWord: 'used' });
    expect(parse('how many vcpus do the windows vms have')).toMatchObject({
      intent: 'aggregate',
      aggregateFieldWord: 'vcpus',
    });
  });
});
