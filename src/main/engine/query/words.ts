import { dict } from '../../../shared/own.js';
import type { StateKey } from './atoms.js';
import { DEPTH_WORDS } from './depth-terms.js';
import { FILLER_WORDS } from './leftovers.js';
import {
  DATASTORE_TYPES,
  DOMAIN_TERMS,
  ENTITY_WORDS,
  FIELD_WORDS,
  OS_FAMILIES,
  RELATION_TARGETS,
  STOP_WORDS,
} from './lexicon.js';

/** Single words that name a state. */
export const STATE_WORDS: Record<string, StateKey> = dict({
  poweredon: 'poweredOn',
  running: 'poweredOn',
  poweredoff: 'poweredOff',
  stopped: 'poweredOff',
  suspended: 'suspended',
  paused: 'suspended',
  connected: 'connected',
  disconnected: 'disconnected',
  notresponding: 'notResponding',
  maintenance: 'maintenance',
  empty: 'empty',
  unused: 'empty',
  accessible: 'accessible',
  inaccessible: 'inaccessible',
  standalone: 'standalone',
});

export const SUPERLATIVES: Record<string, { kind: 'size' | 'free' | 'age' | 'busy'; dir: 'asc' | 'desc' }> =
  dict({
    largest: { kind: 'size', dir: 'desc' },
    biggest: { kind: 'size', dir: 'desc' },
    smallest: { kind: 'size', dir: 'asc' },
    fullest: { kind: 'free', dir: 'asc' },
    emptiest: { kind: 'free', dir: 'desc' },
    oldest: { kind: 'age', dir: 'asc' },
    newest: { kind: 'age', dir: 'desc' },
    latest: { kind: 'age', dir: 'desc' },
    youngest: { kind: 'age', dir: 'desc' },
    busiest: { kind: 'busy', dir: 'desc' },
  });

export const SUPERLATIVE_FIELD_WORD: Record<'size' | 'free' | 'age' | 'busy', string> = {
  size: '$size',
  free: '$freePercent',
  age: '$age',
  busy: '$busy',
};

const ALL_FIELD_WORDS = new Set<string>(['free']);
for (const m of Object.values(FIELD_WORDS)) for (const k of Object.keys(m)) ALL_FIELD_WORDS.add(k);

export function isFieldWord(w: string): boolean {
  return ALL_FIELD_WORDS.has(w);
}

export function isFieldWordOnly(w: string): boolean {
  return ALL_FIELD_WORDS.has(w) && !ENTITY_WORDS[w];
}

/** Singular entity words: "the largest datastore" means one. */
export const SINGULAR_ENTITY_WORDS = new Set([
  'vm',
  'machine',
  'server',
  'guest',
  'workload',
  'template',
  'host',
  'esx',
  'hypervisor',
  'datastore',
  'lun',
  'volume',
  'cluster',
  'datacenter',
  'datacentre',
  'network',
  'portgroup',
  'snapshot',
  'vcenter',
]);

const KNOWN = new Set<string>([
  ...FILLER_WORDS,
  ...Object.keys(ENTITY_WORDS),
  ...Object.keys(RELATION_TARGETS),
  ...ALL_FIELD_WORDS,
  ...Object.keys(OS_FAMILIES),
  ...Object.keys(STATE_WORDS),
  ...Object.keys(SUPERLATIVES),
  ...Object.keys(DATASTORE_TYPES),
  ...DOMAIN_TERMS,
  ...STOP_WORDS,
  ...DEPTH_WORDS,
  'powered',
  'power',
  'not',
  'no',
  'without',
  'than',
  'between',
  'named',
  'called',
  'containing',
  'sorted',
  'by',
  'per',
  'top',
  'count',
  'how',
  'many',
  'much',
  'older',
  'newer',
  'tools',
  'maintenance',
  'mode',
  'ha',
  'drs',
  'off',
  'except',
  'other',
  'same',
]);

/** A word the parser gives a meaning to (so it is not taken for an object's name). */
export function isKnownWord(w: string): boolean {
  return KNOWN.has(w);
}
