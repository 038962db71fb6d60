/**
 * Questions about the RVTools-depth inventory (issue 16): disks and their provisioning, NICs and
 * adapter types, guest partitions, tags and categories (the tagging REST API), custom attributes,
 * creation dates, firmware and secure boot, host models. Same estate as the other held-out suites
 * (three diversified simulators with seeded tags and custom attributes), judged row by row against
 * pyvmomi's reading (e2e/pyvmomi/read_inventory.py) and the tagging REST API read with urllib.
 */
import { expect } from 'vitest';
import type { Case } from '../../../testing/question-estate.js';
import { daysAgo, defineQuestionSuite, startOfMonth, startOfWeek } from '../../../testing/question-suite.js';
import {
  count,
  dss,
  groups,
  guest,
  hosts,
  on,
  refNow,
  sorted,
  tally,
  vmCount,
  vms,
  type Check,
  type Partition,
  type Ref,
  type Vm,
} from '../../../testing/question-judge.js';
import type { PyDisk, PyNic } from '../../../testing/pyvmomi.js';

const thin = (d: PyDisk): boolean => d.provisioning === 'thin';
const tagged =
  (category: string | null, tag: string | null) =>
  (x: { tags: { category: string; tag: string }[] }): boolean =>
    x.tags.some((t) => (category === null || t.category === category) && (tag === null || t.tag === tag));
const owner = (v: Vm): string | undefined => v.attributes['owner'];
const created =
  (from: () => number, to?: () => number) =>
  (v: Vm): boolean =>
    v.createdMs !== null && v.createdMs >= from() && (to === undefined || v.createdMs < to());
const fullPercent = (p: Partition): number => 100 - Math.round((p.freeBytes / p.capacityBytes) * 1000) / 10;

/** Child rows are keyed by vCenter, VM and a column of their own (name; a NIC's MAC address). */
const childRows =
  <T extends { vm: string }>(
    pick: (r: Ref) => (T & { vc: string })[],
    column: string,
    own: (x: T) => string | null,
    pred: (x: T) => boolean,
  ): Check =>
  (a, ref) => {
    expect(a.kind, a.message).toBe('rows');
    const want = sorted(
      pick(ref)
        .filter(pred)
        .map((x) => `${x.vc}/${x.vm}/${String(own(x))}`),
    );
    expect(want.length).toBeGreaterThan(0);
    const got = a.rows.map((r) => `${String(r['vcenter'])}/${String(r['vm'])}/${String(r[column])}`);
    expect(sorted(got)).toEqual(want);
    expect(a.total).toBe(want.length);
  };
const partitions = (pred: (p: Partition) => boolean): Check =>
  childRows(
    (r) => r.partitions,
    'name',
    (p) => p.path,
    pred,
  );
const allDisks = (r: Ref): (PyDisk & { vc: string })[] =>
  r.vms.flatMap((v) => v.disks.map((d) => ({ ...d, vc: v.vc })));
const allNics = (r: Ref): (PyNic & { vc: string })[] =>
  r.vms.flatMap((v) => v.nics.map((n) => ({ ...n, vc: v.vc })));
const disks = (pred: (d: PyDisk) => boolean): Check => childRows(allDisks, 'name', (d) => d.label, pred);
const nics = (pred: (n: PyNic) => boolean): Check =>
  childRows(allNics, 'macAddress', (n) => n.macAddress, pred);

/** The answer names no rows and says which names it knows instead. */
const noSuchTag =
  (word: string): Check =>
  (a) => {
    expect(a.kind, a.message).toBe('not_understood');
    expect(a.rows).toEqual([]);
    expect(a.message).toContain(`named "${word}"`);
  };

/** The phrases of the issue, word for word. */
const ISSUE: Case[] = [
  ['vms with thin disks', vms((v) => v.disks.some(thin))],
  ['vms with more than 2 nics', vms((v) => v.nics.length > 2)],
  ['partitions over 90 % full', partitions((p) => fullPercent(p) > 90)],
  ['vms tagged backup', vms(tagged('backup', null))],
  ['vms where owner is alice', vms((v) => owner(v) === 'alice')],
  ['vms created this month', vms(created(() => startOfMonth(refNow())))],
  ['hosts by model', groups('model', (r) => tally(r.hosts, (h) => h.model))],
  ['efi vms', vms((v) => v.firmware === 'efi')],
];

const DISKS_AND_NICS: Case[] = [
  ['vms with thick disks', vms((v) => v.disks.some((d) => d.provisioning.startsWith('thick')))],
  ['vms with eager zeroed disks', vms((v) => v.disks.some((d) => d.provisioning === 'thick eager'))],
  [
    'vms with thick provisioned lazy zeroed disks',
    vms((v) => v.disks.some((d) => d.provisioning === 'thick lazy')),
  ],
  ['powered on vms without thin disks', vms((v) => on(v) && !v.disks.some(thin))],
  ['windows vms with thin disks', vms((v) => guest('windows')(v) && v.disks.some(thin))],
  ['vms with more than 2 disks', vms((v) => v.disks.length > 2)],
  ['vms with 2 nics', vms((v) => v.nics.length === 2)],
  ['vms with at least 2 nics', vms((v) => v.nics.length >= 2)],
  ['vms with vmxnet3 nics', vms((v) => v.nics.some((n) => n.adapterType === 'vmxnet3'))],
  ['vms with e1000 adapters', vms((v) => v.nics.some((n) => n.adapterType === 'e1000'))],
  ['thin disks', disks(thin)],
  ['how many thin disks', count((r) => allDisks(r).filter(thin).length)],
  ['vmxnet3 nics', nics((n) => n.adapterType === 'vmxnet3')],
  ['disks by provisioning', groups('provisioning', (r) => tally(allDisks(r), (d) => d.provisioning))],
  ['nics by adapter', groups('adapterType', (r) => tally(allNics(r), (n) => n.adapterType))],
];

const PARTITIONS: Case[] = [
  ['partitions with less than 10% free', partitions((p) => (p.freeBytes / p.capacityBytes) * 100 < 10)],
  ['partitions more than 90% full', partitions((p) => fullPercent(p) > 90)],
  ['partitions under 100 gb', partitions((p) => p.capacityBytes < 100 * 1024 ** 3)],
  [
    'the fullest partition',
    (a, ref) => {
      expect(a.kind, a.message).toBe('rows');
      expect(a.rows).toHaveLength(1);
      const least = Math.min(
        ...ref.partitions.map((p) => Math.round((p.freeBytes / p.capacityBytes) * 1000) / 10),
      );
      expect(a.rows[0]!['freePercent']).toBe(least);
    },
  ],
];

const TAGS_AND_ATTRIBUTES: Case[] = [
  ['vms tagged backup=gold', vms(tagged('backup', 'gold'))],
  ['vms tagged backup:silver', vms(tagged('backup', 'silver'))],
  ['vms with the gold tag', vms(tagged(null, 'gold'))],
  ['vms tagged production', vms(tagged(null, 'production'))],
  ['vms tagged environment', vms(tagged('environment', null))],
  ['untagged vms', vms((v) => v.tags.length === 0)],
  ['vms without tags', vms((v) => v.tags.length === 0)],
  ['powered on vms tagged gold', vms((v) => on(v) && tagged(null, 'gold')(v))],
  ['how many vms are tagged bronze', vmCount(tagged(null, 'bronze'))],
  ['hosts tagged r01', hosts(tagged(null, 'r01'))],
  ['datastores tagged gold', dss(() => false)],
  ['vms tagged platinum', noSuchTag('platinum')],
  ['vms whose owner is bob', vms((v) => owner(v) === 'bob')],
  ['vms with owner carol', vms((v) => owner(v) === 'carol')],
  ['vms where owner is not bob', vms((v) => owner(v) !== 'bob')],
  ['vms without an owner', vms((v) => owner(v) === undefined)],
  ['how many vms have an owner', vmCount((v) => owner(v) !== undefined)],
  ['powered on vms where owner is dave', vms((v) => on(v) && owner(v) === 'dave')],
];

const DATES_AND_FIRMWARE: Case[] = [
  [
    'vms created last week',
    vms(
      created(
        () => startOfWeek(refNow()) - 7 * 86_400_000,
        () => startOfWeek(refNow()),
      ),
    ),
  ],
  ['vms deployed this month', vms(created(() => startOfMonth(refNow())))],
  ['vms created in the last 30 days', vms(created(() => daysAgo(30)))],
  ['vms created more than 3 years ago', vms((v) => v.createdMs !== null && v.createdMs < daysAgo(3 * 365))],
  ['bios vms', vms((v) => v.firmware === 'bios')],
  ['vms with efi firmware', vms((v) => v.firmware === 'efi')],
  ['efi vms with secure boot', vms((v) => v.firmware === 'efi' && v.secureBoot === true)],
  ['vms with secure boot disabled', vms((v) => v.secureBoot !== true)],
  ['vms by firmware', groups('firmware', (r) => tally(r.vms, (v) => v.firmware))],
  ['hosts by vendor', groups('vendor', (r) => tally(r.hosts, (h) => h.vendor))],
];

defineQuestionSuite(
  'RVTools-depth questions (issue 16), judged by pyvmomi',
  {
    issue: ISSUE,
    'disks and nics': DISKS_AND_NICS,
    partitions: PARTITIONS,
    'tags and attributes': TAGS_AND_ATTRIBUTES,
    'dates and firmware': DATES_AND_FIRMWARE,
  },
  (ref) => {
    // Every phrase of the issue has something to find (and something to leave out).
    const some = <T>(xs: T[], pred: (x: T) => boolean): void => {
      const n = xs.filter(pred).length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(xs.length);
    };
    some(ref.vms, (v) => v.disks.some(thin));
    some(ref.vms, (v) => v.nics.length > 2);
    some(ref.partitions, (p) => fullPercent(p) > 90);
    some(ref.vms, tagged('backup', null));
    some(ref.vms, (v) => owner(v) === 'alice');
    some(
      ref.vms,
      created(() => startOfMonth(refNow())),
    );
    some(ref.vms, (v) => v.firmware === 'efi');
    expect(new Set(ref.hosts.map((h) => h.model)).size).toBeGreaterThan(1);
  },
);
