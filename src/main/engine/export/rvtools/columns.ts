/**
 * The RVTools-layout workbook's column model: each sheet lists RVTools' own headers in RVTools'
 * order; a column vMiner reads says where its value comes from (`source`, shown in
 * docs/rvtools-columns.md) and how it is computed from a row; a column vMiner does not read is
 * present and empty, with the reason.
 */
import type { CellKind } from '../xlsx-stream.js';

/** One row of a sheet's query (column names as SQLite returns them). */
export type SqlRow = Record<string, unknown>;

/** Values every row can use besides its own: the vCenter's columns, parsed once per vCenter. */
export interface RowContext {
  /** The vCenter's address as RVTools names it (the host name of its URL). */
  server(row: SqlRow): string | null;
}

export interface RvColumn {
  header: string;
  kind: CellKind;
  /** Where the value comes from (the documentation's words); for an empty column, why. */
  source: string;
  /** The value; absent for a column vMiner cannot read. */
  get?: (row: SqlRow, ctx: RowContext) => unknown;
}

export const MIB = 1024 * 1024;

/** A column vMiner fills from `field` (a SQL column) as it is stored. */
export function col(header: string, field: string, source: string, kind: CellKind = 'text'): RvColumn {
  return { header, kind, source, get: (r) => r[field] };
}

/** A number column. */
export function num(header: string, field: string, source: string): RvColumn {
  return { header, kind: 'number', source, get: (r) => r[field] };
}

/** Bytes stored, MiB shown (RVTools' unit), rounded to whole MiB as RVTools shows them. */
export function mib(header: string, field: string, source: string): RvColumn {
  return {
    header,
    kind: 'number',
    source: `${source} (bytes ÷ 1,048,576, rounded)`,
    get: (r) => (typeof r[field] === 'number' ? Math.round((r[field] as number) / MIB) : null),
  };
}

/** A stored boolean (SQLite 0/1) as RVTools writes it: True / False. */
export function bool(header: string, field: string, source: string): RvColumn {
  return {
    header,
    kind: 'text',
    source: `${source} (True / False)`,
    get: (r) => (r[field] === null || r[field] === undefined ? null : r[field] ? 'True' : 'False'),
  };
}

export function date(header: string, field: string, source: string): RvColumn {
  return { header, kind: 'date', source: `${source} (a date cell, UTC)`, get: (r) => r[field] };
}

/** A column RVTools has and vMiner does not read: present, always empty. */
export function empty(header: string, why: string): RvColumn {
  return { header, kind: 'text', source: `empty: ${why}` };
}

/** A run of RVTools columns vMiner leaves empty for one reason. */
export function empties(headers: readonly string[], why: string): RvColumn[] {
  return headers.map((h) => empty(h, why));
}

export function computed(
  header: string,
  kind: CellKind,
  source: string,
  get: (row: SqlRow, ctx: RowContext) => unknown,
): RvColumn {
  return { header, kind, source, get };
}

/** The two columns that close every RVTools sheet. */
export const SDK_COLUMNS: RvColumn[] = [
  computed('VI SDK Server', 'text', 'the host name of the vCenter URL vMiner connects to', (r, ctx) =>
    ctx.server(r),
  ),
  col('VI SDK UUID', 'vc_uuid', 'the vCenter’s about.instanceUuid'),
];

/** Reasons for the empty columns, used by many sheets. */
export const WHY = {
  quickStats:
    'a usage figure (quick stats) that changes every few seconds; vMiner keeps configuration, not usage',
  srm: 'SRM placeholders are not read',
  notRead: 'not read by vMiner',
} as const;
