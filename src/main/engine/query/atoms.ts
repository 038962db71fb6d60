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
  | 'template'
  | 'empty'
  | 'haOn'
  | 'haOff'
  | 'drsOn'
  | 'drsOff'
  | 'accessible'
  | 'inaccessible';

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
    }
  | { t: 'name'; op: 'equals' | 'contains' | 'startsWith' | 'endsWith' | 'glob'; value: string }
  | { t: 'os'; needles: string[]; version: string | undefined; label: string }
  | { t: 'has'; what: string; present: boolean }
  | { t: 'age'; fieldWord: string | undefined; older: boolean; days: number }
  | { t: 'ip'; value: string };

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
  unknown: string[];
}
