import type { QueryEntity } from '../../../shared/fields.js';
import { dict } from '../../../shared/own.js';
import type { DiskKind } from './atoms.js';

/**
 * Words for the RVTools-depth inventory (issue 16): the child entities (disks, NICs, partitions,
 * tags), kinds of disk, NIC adapter types, firmware, tags and custom attributes.
 */

/** Words that name a child entity when a question starts with it ("partitions over 90% full"). */
export const CHILD_ENTITY_WORDS: Record<string, QueryEntity> = dict({
  disks: 'disks',
  vmdks: 'disks',
  vmdk: 'disks',
  nics: 'nics',
  nic: 'nics',
  vnics: 'nics',
  vnic: 'nics',
  partition: 'partitions',
  partitions: 'partitions',
  filesystem: 'partitions',
  filesystems: 'partitions',
  tags: 'tags',
});

/** The singular ones: "the fullest partition" is one. */
export const SINGULAR_CHILD_WORDS = new Set(['vmdk', 'nic', 'vnic', 'partition', 'filesystem']);

export const DISK_WORDS = new Set(['disk', 'disks', 'vmdk', 'vmdks', 'drives']);

/** "thin", "thick", "eager zeroed", "lazy zeroed", "rdm", "raw", "independent". */
export const DISK_KINDS: Record<string, DiskKind> = dict({
  thin: 'thin',
  thick: 'thick',
  eager: 'eager',
  eagerzeroed: 'eager',
  eagerly: 'eager',
  lazy: 'lazy',
  lazyzeroed: 'lazy',
  rdm: 'rdm',
  rdms: 'rdm',
  raw: 'rdm',
  independent: 'independent',
});

/** What follows a disk kind before the disk word: "thin provisioned", "eager zeroed", "raw device mapped". */
export const DISK_KIND_TAILS = new Set([
  'provisioned',
  'zeroed',
  'scrubbed',
  'device',
  'mapped',
  'mapping',
  'mappings',
]);

/** NIC adapter types as vMiner stores them (vm-devices.ts). */
export const NIC_ADAPTERS: Record<string, string> = dict({
  e1000: 'e1000',
  e1000e: 'e1000e',
  vmxnet3: 'vmxnet3',
  vmxnet2: 'vmxnet2',
  vmxnet: 'vmxnet',
  pcnet32: 'pcnet32',
  sriov: 'sriov',
  vmxnet3vrdma: 'vmxnet3vrdma',
});

export const NIC_WORDS = new Set(['nic', 'nics', 'vnic', 'vnics', 'adapter', 'adapters', 'card', 'cards']);

/** Every word above, for the known-word list and the spelling corrector's vocabulary. */
export const DEPTH_WORDS = new Set([
  ...Object.keys(CHILD_ENTITY_WORDS),
  ...DISK_WORDS,
  ...Object.keys(DISK_KINDS),
  ...DISK_KIND_TAILS,
  ...Object.keys(NIC_ADAPTERS),
  ...NIC_WORDS,
  'efi',
  'uefi',
  'bios',
  'secure',
  'secureboot',
  'boot',
  'tag',
  'tags',
  'tagged',
  'untagged',
  'category',
  'attribute',
  'attributes',
]);
