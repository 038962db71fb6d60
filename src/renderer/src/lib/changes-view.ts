import type { ChangeKind, ChangeRow, ChangesRequest } from '../../../shared/changes.js';
import type { Filter } from '../../../shared/query.js';

/** What the Changes page filters by, as the user set it. */
export interface ChangesFilters {
  /** "1h", "24h", "7d", "30d" or "" for all the history kept. */
  since: string;
  vcenter: string;
  entity: string;
  field: string;
  object: string;
  kinds: ChangeKind[];
}

export const SINCE_CHOICES: { value: string; label: string }[] = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '', label: 'All history' },
];

const MS: Record<string, number> = { h: 3_600_000, d: 86_400_000 };

/** The page's filters as a `changes.list` request. */
export function changesRequest(f: ChangesFilters): ChangesRequest {
  return {
    ...(f.since ? { since: f.since } : {}),
    ...(f.vcenter.trim() ? { vcenter: f.vcenter.trim() } : {}),
    ...(f.entity ? { entity: f.entity as NonNullable<ChangesRequest['entity']> } : {}),
    ...(f.field.trim() ? { field: f.field.trim() } : {}),
    ...(f.object.trim() ? { object: f.object.trim() } : {}),
    ...(f.kinds.length > 0 && f.kinds.length < 4 ? { kind: f.kinds } : {}),
  };
}

/**
 * The same filters as a query-plan filter of the `changes` entity, for exports (the export path
 * takes plans): the time window resolved against `now`.
 */
export function changesPlanFilter(f: ChangesFilters, now: Date): Filter | undefined {
  const parts: Filter[] = [];
  const rel = /^(\d+)([hd])$/.exec(f.since);
  if (rel)
    parts.push({
      kind: 'cmp',
      field: 'at',
      op: 'gte',
      value: new Date(now.getTime() - Number(rel[1]) * MS[rel[2]!]!).toISOString(),
    });
  if (f.vcenter.trim()) parts.push({ kind: 'text', field: 'vcenter', op: 'equals', value: f.vcenter.trim() });
  if (f.entity) parts.push({ kind: 'text', field: 'entity', op: 'equals', value: f.entity });
  const field = f.field.trim();
  if (field)
    parts.push(
      field.endsWith('*')
        ? { kind: 'text', field: 'field', op: 'startsWith', value: field.slice(0, -1) }
        : { kind: 'cmp', field: 'field', op: 'eq', value: field },
    );
  if (f.object.trim()) parts.push({ kind: 'text', field: 'object', op: 'equals', value: f.object.trim() });
  if (f.kinds.length > 0 && f.kinds.length < 4)
    parts.push({
      kind: 'or',
      filters: f.kinds.map((k) => ({ kind: 'text', field: 'kind', op: 'equals', value: k })),
    });
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { kind: 'and', filters: parts };
}

export interface TimelineGroup {
  key: string;
  label: string;
  rows: ChangeRow[];
}

/**
 * Rows (newest first) grouped by hour when they span two days or less, else by day, in local
 * time; groups keep the rows' order.
 */
export function groupTimeline(rows: ChangeRow[]): { by: 'hour' | 'day'; groups: TimelineGroup[] } {
  const first = rows[0] ? Date.parse(rows[0].at) : 0;
  const last = rows.at(-1) ? Date.parse(rows.at(-1)!.at) : 0;
  const by = first - last <= 2 * 86_400_000 ? 'hour' : 'day';
  const groups: TimelineGroup[] = [];
  for (const r of rows) {
    const d = new Date(r.at);
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const key = by === 'hour' ? `${day} ${String(d.getHours()).padStart(2, '0')}` : day;
    let g = groups.at(-1);
    if (!g || g.key !== key) {
      const label =
        by === 'hour'
          ? `${d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })} ${String(d.getHours()).padStart(2, '0')}:00`
          : d.toLocaleDateString(undefined, {
              weekday: 'long',
              day: 'numeric',
              month: 'long',
              year: 'numeric',
            });
      g = { key, label, rows: [] };
      groups.push(g);
    }
    g.rows.push(r);
  }
  return { by, groups };
}

/** "memoryMb 4096 → 8192", "created", "removed", "first sync". */
export function describeChange(r: ChangeRow): string {
  if (r.kind === 'changed') return `${r.field ?? ''}: ${r.oldValue || '—'} → ${r.newValue || '—'}`;
  if (r.kind === 'first-sync') return 'first sync of this vCenter';
  return r.kind;
}
