import type { QueryEntity } from '../../../shared/fields.js';

/** What a question said, before it is tied to one entity's fields. */
export type StateKey =
  | 'poweredOn'
  | 'poweredOff'
  | 'suspended'
  | 'connected'
  | 'disconnected'
  | 'notResponding'
  | 'maintenance'
  | 'toolsNotRunning'
  | 'toolsRunning'
  | 'toolsOld'
  | 'toolsNotInstalled'
  | 'toolsOk'
  | 'toolsUnhealthy'
  | 'template'
  | 'standalone'
  | 'empty'
  | 'haOn'
  | 'haOff'
  | 'drsOn'
  | 'drsOff'
  | 'accessible'
  | 'inaccessible'
  | 'efi'
  | 'bios'
  | 'secureBoot';

/** Kinds of virtual disk people ask about: provisioning, raw device mappings, independent mode. */
export type DiskKind = 'thin' | 'thick' | 'eager' | 'lazy' | 'rdm' | 'independent';

export type CmpOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';

export type AtomBody =
  | { t: 'state'; key: StateKey }
  | { t: 'rel'; target: QueryEntity | undefined; value: string; glob: boolean }
  | {
      t: 'num';
      fieldWord: string | undefined;
      op: CmpOp | 'between';
      value: number;
      value2?: number;
      unit: string | undefined;
      /** The field word counts things after a bare number ("more than 2 disks"), not an amount. */
      counted?: boolean;
    }
  | { t: 'name'; op: 'equals' | 'contains' | 'startsWith' | 'endsWith' | 'glob'; value: string }
  | { t: 'os'; match: OsMatch; label: string }
  | { t: 'has'; what: string; present: boolean }
  /** `age`: "older / newer than …"; `period`: "from last week", "since monday", "in the last 7 days". */
  | { t: 'when'; fieldWord: string | undefined; range: DateRange; label: string; form: 'age' | 'period' }
  | { t: 'ip'; value: string }
  | { t: 'dstype'; types: string[]; label: string }
  | { t: 'esxi'; version: string }
  /** "vms on the same host as web-01". */
  | { t: 'sameAs'; target: QueryEntity; vm: string }
  /** "vms with thin disks", "thick disks", "vms with rdms". */
  | { t: 'disk'; kind: DiskKind; label: string }
  /** "vms with e1000 nics". */
  | { t: 'nic'; adapter: string }
  /**
   * "vms tagged backup" (a tag or a category of that name), "tagged backup=gold" (that tag of that
   * category), "tagged" / "untagged" (any tag).
   */
  | { t: 'tag'; value?: string; category?: string; tag?: string }
  /** "vms where owner is alice" (a custom attribute and its value), "vms with an owner" (set at all). */
  | { t: 'attr'; name: string; value?: string };

/** A guest OS phrase: substrings of the full name (configured or reported) or guest id patterns. */
export interface OsMatch {
  names: string[];
  /** `*` globs on the guest id ("rhel8_*"). */
  ids: string[];
}

/** A point in time relative to the question's "now", resolved when the plan is built. */
export type DateBound =
  | { daysAgo: number }
  | { startOf: 'day' | 'week' | 'month' | 'year'; offset: number }
  | { weekday: number }
  | { month: number; day: number; year?: number };

/** `from` inclusive, `to` exclusive. */
export interface DateRange {
  from?: DateBound;
  to?: DateBound;
}

export type Atom = AtomBody & { negated: boolean };

export interface ParsedQuestion {
  kind: 'query' | 'find' | 'export' | 'refused';
  entity: QueryEntity | undefined;
  templatesOnly: boolean;
  intent: 'rows' | 'count' | 'aggregate';
  aggregateFn: 'sum' | 'avg' | 'min' | 'max' | undefined;
  aggregateFieldWord: string | undefined;
  atoms: Atom[];
  /** connectors[i] joins atoms[i] and atoms[i+1]. */
  connectors: ('and' | 'or')[];
  sort: { fieldWord: string; dir: 'asc' | 'desc' | undefined; resolvedField?: string } | undefined;
  limit: number | undefined;
  groupWord: string | undefined;
  /** Signals that the question refines the previous one ("only the …", "and in …", "how many?"). */
  followUpHint: boolean;
  findText: string | undefined;
  exportFormat: 'xlsx' | 'csv' | 'json' | undefined;
  refusedVerb: string | undefined;
  /** Words that are neither understood nor fillers: the question is not answered (never broadened). */
  unknown: string[];
  /** The question starts "only …" / "just …": a follow-up that narrows. */
  narrowing: boolean;
  /** The entity was named in the singular ("the largest datastore"): a superlative means one. */
  singular: boolean;
  /** "which cluster has the most powered off vms": VMs counted per container, best first. */
  groupTop: { dir: 'asc' | 'desc'; groupWord: string } | undefined;
}
