/**
 * The real-word guard (issue 14): the spelling corrector only corrects tokens that are neither real
 * English words nor vSphere terms. "last week" must not become "list week", "vmfs" must not become
 * "vms", "vsan" must not become "vlan".
 */
import { describe, expect, it } from 'vitest';
import { correctKeyword, correctTokens, isRealWord } from './spelling.js';
import { englishWordCount } from './english-words.js';
import { tokenize } from './tokenize.js';

const fix = (q: string): string => {
  const { tokens } = correctTokens(
    tokenize(q),
    () => false,
    () => false,
  );
  return tokens.map((t) => t.norm).join(' ');
};

describe('the real-word guard', () => {
  it.each([
    'last',
    'week',
    'less',
    'fewer',
    'created',
    'older',
    'then',
    'shoe',
    'lots',
    'big',
    'idle',
    'rainy',
    'past',
  ])('never corrects the English word "%s"', (w) => {
    expect(correctKeyword(w)).toBeUndefined();
  });

  it.each(['vmfs', 'vsan', 'nfs', 'vvol', 'evc', 'vmotion', 'esxi', 'drs', 'sioc', 'vapp', 'lockdown'])(
    'never corrects the vSphere term "%s"',
    (w) => {
      expect(correctKeyword(w)).toBeUndefined();
    },
  );

  it.each([
    ['powred', 'powered'],
    ['snpashots', 'snapshots'],
    ['maintenence', 'maintenance'],
    ['lsit', 'list'],
    ['datastors', 'datastores'],
    ['suspened', 'suspended'],
    ['vpcus', 'vcpus'],
  ])('still corrects the typo "%s" → "%s"', (typo, word) => {
    expect(correctKeyword(typo)).toBe(word);
  });

  it('keeps questions of real words as typed', () => {
    expect(fix('vms created last week')).toBe('vms created last week');
    expect(fix('list the vmfs datastores')).toBe('list the vmfs datastores');
    expect(fix('vsan datastores')).toBe('vsan datastores');
    expect(fix('vms with fewer than 4 cpus')).toBe('vms with fewer than 4 cpus');
    expect(fix('hosts with less than 512 gb')).toBe('hosts with less than 512 gb');
  });

  it('fixes real words typed for another only in their reviewed context', () => {
    expect(fix('vms with more then 8 cpus')).toBe('vms with more than 8 cpus');
    expect(fix('shoe me the hosts')).toBe('show me the hosts');
    expect(fix('powered on vms and then hosts')).toBe('powered on vms and then hosts');
    expect(fix('vms with a shoe')).toBe('vms with a shoe');
  });

  it('knows the common English words (the rare tiers stay out: "powred" is a typo)', () => {
    expect(englishWordCount()).toBeGreaterThan(50_000);
    expect(isRealWord('powred')).toBe(false);
    expect(isRealWord('hots')).toBe(false);
    expect(isRealWord('yesterday')).toBe(true);
  });
});
