/**
 * The depth phrases (issue 16) on their own: what the parser makes of tags, custom attributes,
 * firmware, kinds of disk and NIC, child entities and "90 % full" (with a fixed list of names and
 * attributes instead of an inventory).
 */
import { describe, expect, it } from 'vitest';
import type { Atom, ParsedQuestion } from './atoms.js';
import { normalizeTokens } from './normalize.js';
import type { NameLookup } from './parse-state.js';
import { parseQuestion } from './parser.js';
import { tokenize, type Token } from './tokenize.js';

const NAMES = new Set(['prod-a', 'web-01']);
const ATTRS = new Map([
  ['owner', 'owner'],
  ['cost-center', 'cost-center'],
]);
const names: NameLookup = {
  isName: (t) => NAMES.has(t),
  longestName: (tokens: readonly Token[], start: number) => (NAMES.has(tokens[start]?.norm ?? '') ? 1 : 0),
  attribute: (t) => ATTRS.get(t),
};
const parse = (q: string): ParsedQuestion =>
  parseQuestion(
    normalizeTokens(tokenize(q), (w) => NAMES.has(w)),
    names,
  );
const strip = (a: Atom): Record<string, unknown> => {
  const { negated, ...rest } = a;
  return negated ? { ...rest, negated } : rest;
};
const read = (
  q: string,
): { entity: string | undefined; atoms: Record<string, unknown>[]; unknown: string[] } => {
  const p = parse(q);
  return { entity: p.entity, atoms: p.atoms.map(strip), unknown: p.unknown };
};

describe('depth phrases', () => {
  it.each<[string, string, Record<string, unknown>[]]>([
    ['vms with thin disks', 'vms', [{ t: 'disk', kind: 'thin', label: 'thin disks' }]],
    ['thin provisioned vms', 'vms', [{ t: 'disk', kind: 'thin', label: 'thin provisioned' }]],
    ['vms with eager zeroed disks', 'vms', [{ t: 'disk', kind: 'eager', label: 'eager zeroed disks' }]],
    ['vms without thick disks', 'vms', [{ t: 'disk', kind: 'thick', label: 'thick disks', negated: true }]],
    ['vms with rdms', 'vms', [{ t: 'disk', kind: 'rdm', label: 'rdms' }]],
    ['thin disks', 'disks', [{ t: 'disk', kind: 'thin', label: 'thin disks' }]],
    ['vms with e1000 nics', 'vms', [{ t: 'nic', adapter: 'e1000' }]],
    ['vmxnet3 adapters', 'nics', [{ t: 'nic', adapter: 'vmxnet3' }]],
    ['vms tagged backup', 'vms', [{ t: 'tag', value: 'backup' }]],
    ['vms tagged backup=gold', 'vms', [{ t: 'tag', category: 'backup', tag: 'gold' }]],
    ['vms tagged backup:gold', 'vms', [{ t: 'tag', category: 'backup', tag: 'gold' }]],
    ['vms with tag gold', 'vms', [{ t: 'tag', value: 'gold' }]],
    ['vms with the gold tag', 'vms', [{ t: 'tag', value: 'gold' }]],
    ['untagged vms', 'vms', [{ t: 'tag', negated: true }]],
    ['vms with no tags', 'vms', [{ t: 'tag', negated: true }]],
    ['vms where owner is alice', 'vms', [{ t: 'attr', name: 'owner', value: 'alice' }]],
    ['vms whose owner is not bob', 'vms', [{ t: 'attr', name: 'owner', value: 'bob', negated: true }]],
    ['vms with owner carol', 'vms', [{ t: 'attr', name: 'owner', value: 'carol' }]],
    ['vms where cost center is CC-web', 'vms', [{ t: 'attr', name: 'cost-center', value: 'CC-web' }]],
    ['vms without an owner', 'vms', [{ t: 'attr', name: 'owner', negated: true }]],
    ['efi vms', 'vms', [{ t: 'state', key: 'efi' }]],
    ['vms with bios firmware', 'vms', [{ t: 'state', key: 'bios' }]],
    ['vms with secure boot disabled', 'vms', [{ t: 'state', key: 'secureBoot', negated: true }]],
    [
      'partitions over 90 % full',
      'partitions',
      [{ t: 'num', fieldWord: 'free', op: 'lt', value: 10, unit: '%' }],
    ],
    [
      'vms with more than 2 nics',
      'vms',
      [{ t: 'num', fieldWord: 'nics', op: 'gt', value: 2, unit: undefined, counted: true }],
    ],
  ])('%s', (q, entity, atoms) => {
    expect(read(q)).toEqual({ entity, atoms, unknown: [] });
  });

  it('leaves words it has no depth meaning for to the other stages', () => {
    // "raw" alone is no disk; "bios" of a host is no firmware condition; a word that names no attribute stays unknown.
    expect(read('vms with raw data').unknown).toContain('raw');
    expect(read('vms where colour is red').unknown).toEqual(expect.arrayContaining(['colour', 'red']));
    expect(read('tags').entity).toBe('tags');
  });
});
