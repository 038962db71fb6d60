/**
 * What every export format shares: the column model (field, header label, type, unit), the
 * metadata an export records (as of, failed and stale vCenters) and the value normalisation
 * (SQLite 0/1 → booleans).
 */
import { freshnessText } from '../../../shared/freshness-text.js';
import {
  FIELDS,
  fieldDef,
  type FieldType,
  type FieldUnit,
  type QueryEntity,
} from '../../../shared/fields.js';
import { VminerError } from '../../../shared/errors.js';
import type { Freshness, QueryPlan } from '../../../shared/query.js';
import { batchesOf, type Rows } from './rows.js';

export { EXPORT_FORMATS, type ExportFormat } from '../../../shared/export-formats.js';

export interface ExportColumn {
  /** The field name: the JSON key and the row property read. */
  field: string;
  /** The header a person reads ("Memory (MB)"). */
  label: string;
  type: FieldType;
  unit?: FieldUnit;
}

/** One table to write: a sheet in XLSX, the whole file in CSV, an array in JSON. */
export interface ExportTable {
  /** Sheet name and JSON key ("VMs", "vms"). */
  sheet: string;
  key: string;
  columns: ExportColumn[];
  /** Rows as values in `columns` order, read lazily in batches: an export never holds all rows in memory. */
  rows: Rows;
}

/** Records (in memory: groups, vCenters, a grid's page) as rows for a table. */
export function recordRows(
  columns: readonly ExportColumn[],
  records: Iterable<Record<string, unknown>>,
): Rows {
  return batchesOf(
    (function* () {
      for (const r of records) yield columns.map((c) => r[c.field]);
    })(),
  );
}

/** What an export records about itself, in every format. */
export interface ExportMeta {
  product: 'vMiner';
  exportedAt: string;
  /** The oldest last good sync among the vCenters involved (ISO), or null when none ever synced. */
  asOf: string | null;
  failedVcenters: string[];
  staleVcenters: string[];
  neverSyncedVcenters: string[];
  /** The question asked, when the export came from one. */
  question?: string;
  /** How the question (or grid) was understood. */
  interpretation?: string;
  plan?: QueryPlan;
  /** Row count per table key (counted in the same read snapshot as the rows). */
  rows: Record<string, number>;
}

const UNIT_LABEL: Record<FieldUnit, string> = {
  mb: 'MB',
  bytes: 'bytes',
  percent: '%',
  mhz: 'MHz',
  days: 'days',
};

export function headerLabel(label: string, unit: FieldUnit | undefined): string {
  if (!unit || label.includes(UNIT_LABEL[unit])) return label;
  return `${label} (${UNIT_LABEL[unit]})`;
}

export function columnOf(entity: QueryEntity, field: string): ExportColumn {
  const def = fieldDef(entity, field);
  if (!def) {
    throw new VminerError(
      'INVALID_INPUT',
      `${entity} have no field "${field}"; the fields are: ${Object.keys(FIELDS[entity]).join(', ')}`,
    );
  }
  return def.unit
    ? { field, label: headerLabel(def.label, def.unit), type: def.type, unit: def.unit }
    : { field, label: def.label, type: def.type };
}

/** The given fields, or every field of the entity in catalog order. */
export function columnsFor(entity: QueryEntity, fields?: readonly string[]): ExportColumn[] {
  const list = fields && fields.length > 0 ? fields : Object.keys(FIELDS[entity]);
  return list.map((f) => columnOf(entity, f));
}

/** SQLite hands booleans back as 0/1: exports show true/false. */
export function cellValue(col: ExportColumn, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (col.type === 'boolean' && typeof v === 'number') return v !== 0;
  return v;
}

export function metaOf(
  freshness: Freshness,
  rows: Record<string, number>,
  extra: { question?: string; interpretation?: string; plan?: QueryPlan; now?: Date } = {},
): ExportMeta {
  return {
    product: 'vMiner',
    exportedAt: (extra.now ?? new Date()).toISOString(),
    asOf: freshness.asOf,
    failedVcenters: freshness.failedVcenters,
    staleVcenters: freshness.staleVcenters,
    neverSyncedVcenters: freshness.neverSyncedVcenters,
    ...(extra.question !== undefined ? { question: extra.question } : {}),
    ...(extra.interpretation !== undefined ? { interpretation: extra.interpretation } : {}),
    ...(extra.plan !== undefined ? { plan: extra.plan } : {}),
    rows,
  };
}

/** One line for people: "as of … · failed: … · stale: …". */
export function freshnessLine(m: ExportMeta): string {
  return freshnessText(m);
}
