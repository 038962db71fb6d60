import { useCallback, useEffect, useId, useMemo, useReducer, useRef, useState } from 'react';
import {
  columnResizingFeature,
  columnSizingFeature,
  createColumnHelper,
  functionalUpdate,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnSizingState,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { formatCell } from '../lib/format.js';
import {
  addRange,
  isSelected,
  NO_SELECTION,
  selectRange,
  toggleIndex,
  type IndexSelection,
} from '../lib/index-selection.js';
import { PageCache, type Page } from '../lib/page-cache.js';
import { filterHint } from '../lib/filters.js';

export type GridRow = Record<string, unknown>;
export interface GridSort {
  field: string;
  dir: 'asc' | 'desc';
}

export const ROW_HEIGHT = 28;
const LOADING = Symbol('loading');
type Slot = GridRow & { [LOADING]?: number };

// Sorting, filtering and paging happen in SQLite: the table only keeps headers, sort state and
// column sizes. Stable at module scope, as the library requires.
const features = tableFeatures({ rowSortingFeature, columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, Slot>();

export function rowKey(r: GridRow): string {
  return `${String(r['vcenterId'])}/${String(r['moid'])}`;
}

export interface DataGridProps {
  entity: QueryEntity;
  columns: string[];
  widths: Record<string, number>;
  onWidthsChange: (w: Record<string, number>) => void;
  sort: GridSort[];
  onSortChange: (s: GridSort[]) => void;
  /** Changes to this key (filter, sort) drop the cached pages. */
  queryKey: string;
  /** Changes to this (the inventory changed) re-read the pages in view, keeping rows shown meanwhile. */
  dataVersion: number;
  fetchPage: (offset: number, limit: number) => Promise<Page<GridRow>>;
  /**
   * Selected rows by position in this sort and filter (the owner clears it when `queryKey`
   * changes). Positions, not keys: a range can cover rows never loaded.
   */
  selection: IndexSelection;
  onSelectionChange: (sel: IndexSelection) => void;
  onOpen: (row: GridRow) => void;
  onCopy: () => void;
  /** Set to the grid's page cache, for a copy to take the rows it already has. */
  cacheRef?: React.RefObject<PageCache<GridRow> | null>;
  onTotal?: (total: number | null) => void;
  /** Per-column filter boxes (text as typed) and their parse errors. */
  columnFilters: Record<string, string>;
  filterErrors: Record<string, string>;
  onColumnFilter: (field: string, text: string) => void;
  /** What each column's filter was understood as ("memory > 16 GB"), for its tooltip. */
  filterEcho?: Record<string, string>;
  /** Scroll to this row (0-based) when it changes, and mark it. */
  jump?: { index: number; seq: number } | null;
  /** The grid's accessible name ("VMs"). */
  label: string;
}

/** A colour cue for a row, RVTools-style: off, in maintenance, disconnected, nearly full. */
export function rowCue(entity: QueryEntity, r: GridRow): string {
  if (entity === 'vms' && r['powerState'] && r['powerState'] !== 'poweredOn') return 'cue-off';
  if (entity === 'hosts') {
    if (r['connectionState'] && r['connectionState'] !== 'connected') return 'cue-bad';
    if (r['inMaintenanceMode'] === true) return 'cue-warn';
  }
  if (entity === 'datastores') {
    const free = r['freePercent'];
    if (typeof free === 'number' && free < 10) return 'cue-bad';
    if (r['accessible'] === false) return 'cue-bad';
  }
  return '';
}

/** The field that names a row: a click on it opens the row's details. */
const NAME_FIELD = 'name';

const WIDE_TEXT = new Set([
  'guestFullName',
  'guestFullNameReported',
  'description',
  'annotation',
  'cpuModel',
  'url',
]);

function defaultWidth(entity: QueryEntity, field: string): number {
  if (field === 'name' || field === 'vm') return 240;
  if (WIDE_TEXT.has(field)) return 280;
  const t = fieldDef(entity, field)?.type;
  if (t === 'number' || t === 'boolean') return 120;
  if (t === 'date') return 200;
  return 150;
}

/** One typed, virtual, server-driven grid for every entity. */
export function DataGrid(props: DataGridProps): React.JSX.Element {
  const { entity, columns, sort, selection, onTotal, jump } = props;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const gridId = useId();
  const fetchRef = useRef(props.fetchPage);
  fetchRef.current = props.fetchPage;
  const cache = useMemo(
    () =>
      new PageCache<GridRow>(
        (o, l) => fetchRef.current(o, l),
        () => rerender(),
      ),
    [],
  );
  // Shift-click and shift-arrows select from the anchor to the cursor (the row last moved to).
  const [anchor, setAnchor] = useState<number | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [jumped, setJumped] = useState<number | null>(null);
  // The last column takes up the room left over, so no column is cut off beside empty space.
  const [room, setRoom] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const ro = new ResizeObserver(() => setRoom(el.clientWidth));
    ro.observe(el);
    setRoom(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  if (props.cacheRef) props.cacheRef.current = cache;

  useEffect(() => {
    cache.reset();
    setAnchor(null);
    setCursor(null);
    setJumped(null);
    rerender();
  }, [cache, props.queryKey]);
  useEffect(() => {
    cache.invalidate();
    rerender();
  }, [cache, props.dataVersion]);

  const total = cache.total ?? 0;
  useEffect(() => {
    onTotal?.(cache.total);
  }, [cache.total, onTotal]);

  const virtualizer = useVirtualizer({
    count: cache.total ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    cache.ensure(first, Math.max(last, first + 40));
  });

  useEffect(() => {
    if (jump && jump.index >= 0) {
      const index = Math.min(jump.index, Math.max(0, total - 1));
      virtualizer.scrollToIndex(index, { align: 'start' });
      // The row it went to is marked, and is where the arrow keys and Enter continue from; the
      // selection's anchor stays, so a shift-click there still selects from the row chosen before.
      setJumped(index);
      setCursor(index);
    }
    // Only a new jump request scrolls.
  }, [jump?.seq]);

  const data = useMemo<Slot[]>(
    () => items.map((it) => cache.get(it.index) ?? { [LOADING]: it.index }),
    // The cache changes in place; `items` and the render counter drive this.
    [items, cache.loads, props.queryKey, cache.total],
  );

  const columnDefs = useMemo(
    () =>
      helper.columns(
        columns.map((field) =>
          helper.accessor((r: Slot) => r[field], {
            id: field,
            header: fieldDef(entity, field)?.label ?? field,
            size: defaultWidth(entity, field),
            minSize: 50,
            enableSorting: fieldDef(entity, field)?.type !== 'list',
          }),
        ),
      ),
    [columns, entity],
  );

  const sorting = useMemo<SortingState>(
    () => sort.map((s) => ({ id: s.field, desc: s.dir === 'desc' })),
    [sort],
  );
  const table = useTable({
    features,
    columns: columnDefs,
    data,
    getRowId: (r: Slot, i: number) =>
      r[LOADING] !== undefined ? `loading-${r[LOADING]}` : `${rowKey(r)}#${i}`,
    manualSorting: true,
    // Every column cycles the same way: ascending, descending, unsorted.
    sortDescFirst: false,
    enableMultiSort: true,
    enableSortingRemoval: true,
    columnResizeMode: 'onChange',
    state: { sorting, columnSizing: props.widths },
    onSortingChange: (u) => {
      const next = functionalUpdate(u, sorting);
      props.onSortChange(next.map((s) => ({ field: s.id, dir: s.desc ? 'desc' : 'asc' })));
    },
    onColumnSizingChange: (u) => props.onWidthsChange(functionalUpdate(u, props.widths as ColumnSizingState)),
  });

  const rows = table.getRowModel().rows;
  const natural = table.getTotalSize();
  const lastField = columns.at(-1);
  const extra = Math.max(0, room - natural - 2);
  const widthOf = (field: string, size: number): number => (field === lastField ? size + extra : size);
  const width = natural + extra;

  const { onSelectionChange, onCopy, onOpen } = props;
  const select = useCallback(
    (index: number, e: React.MouseEvent | React.KeyboardEvent) => {
      let next: IndexSelection;
      if (e.shiftKey && anchor !== null) {
        next = e.ctrlKey || e.metaKey ? addRange(selection, anchor, index) : selectRange(anchor, index);
      } else if (e.ctrlKey || e.metaKey) {
        next = toggleIndex(selection, index);
        setAnchor(index);
      } else {
        next = selectRange(index, index);
        setAnchor(index);
      }
      setCursor(index);
      onSelectionChange(next);
    },
    [anchor, selection, onSelectionChange],
  );

  const onKeyDown = (e: React.KeyboardEvent): void => {
    // The filter boxes sit inside the grid: Ctrl+C, Ctrl+A and Esc there are the text's.
    if (e.target instanceof HTMLInputElement) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      onCopy();
    } else if (mod && e.key.toLowerCase() === 'a' && cache.total) {
      e.preventDefault();
      onSelectionChange(selectRange(0, cache.total - 1));
    } else if (e.key === 'Escape') {
      onSelectionChange(NO_SELECTION);
    } else if (e.key === 'Enter' && e.target === e.currentTarget && cache.total) {
      e.preventDefault();
      // Enter opens the row under the cursor (the first row when none was chosen yet).
      const at = cursor ?? 0;
      const r = cache.get(at);
      if (cursor === null) select(at, e);
      if (r) onOpen(r);
    } else if ((e.key === 'Home' || e.key === 'End') && e.target === e.currentTarget && cache.total) {
      e.preventDefault();
      const next = e.key === 'Home' ? 0 : cache.total - 1;
      select(next, e);
      virtualizer.scrollToIndex(next);
    } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && cache.total) {
      e.preventDefault();
      const next = Math.min(cache.total - 1, Math.max(0, (cursor ?? -1) + (e.key === 'ArrowDown' ? 1 : -1)));
      select(next, e);
      virtualizer.scrollToIndex(next);
    }
  };

  const rowId = (index: number): string => `${gridId}-r${index}`;
  return (
    <div className="grid">
      <div
        className="grid-scroll"
        role="grid"
        aria-label={props.label}
        aria-rowcount={cache.total === null ? -1 : cache.total + 2}
        aria-colcount={columns.length}
        aria-multiselectable
        aria-activedescendant={cursor !== null && cache.get(cursor) ? rowId(cursor) : undefined}
        ref={scrollRef}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="grid-scroll"
      >
        <div className="grid-head" role="rowgroup" style={{ width }}>
          <div className="grid-header" role="row" aria-rowindex={1}>
            {table.getHeaderGroups()[0]?.headers.map((h, ci) => {
              const dir = h.column.getIsSorted();
              const idx = sort.findIndex((s) => s.field === h.column.id);
              const label = fieldDef(entity, h.column.id)?.label ?? h.column.id;
              const sortable = h.column.getCanSort();
              return (
                <div
                  key={h.id}
                  role="columnheader"
                  aria-colindex={ci + 1}
                  aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
                  className={`grid-th ${sortable ? 'sortable' : ''}`}
                  style={{ width: widthOf(h.column.id, h.getSize()) }}
                  data-field={h.column.id}
                  title={sortable ? 'Sort (shift-click or Shift+Enter adds a sort key)' : undefined}
                  onClick={h.column.getToggleSortingHandler()}
                >
                  {sortable ? (
                    <button
                      type="button"
                      className="grid-th-label"
                      aria-label={`${label}: sort${dir ? (dir === 'asc' ? ', sorted ascending' : ', sorted descending') : ''}`}
                      onClick={(e) => {
                        // The header's own click handler sorts (it reads the shift key).
                        e.currentTarget.focus();
                      }}
                    >
                      <table.FlexRender header={h} />
                    </button>
                  ) : (
                    <span className="grid-th-label">
                      <table.FlexRender header={h} />
                    </span>
                  )}
                  {dir && (
                    <span className="sort-mark" aria-hidden>
                      {dir === 'asc' ? '▲' : '▼'}
                      {sort.length > 1 ? idx + 1 : ''}
                    </span>
                  )}
                  <span
                    className="resizer"
                    onMouseDown={h.getResizeHandler()}
                    onClick={(e) => e.stopPropagation()}
                    aria-hidden
                  />
                </div>
              );
            })}
          </div>
          <div className="grid-filters" role="row" aria-rowindex={2}>
            {table.getHeaderGroups()[0]?.headers.map((h, ci) => {
              const field = String(h.column.id);
              const err = props.filterErrors[field];
              return (
                <div
                  key={h.id}
                  role="gridcell"
                  aria-colindex={ci + 1}
                  className="grid-fc"
                  style={{ width: widthOf(field, h.getSize()) }}
                >
                  <input
                    aria-label={`Filter ${fieldDef(entity, field)?.label ?? field}`}
                    aria-invalid={err ? true : undefined}
                    data-filter={field}
                    className={err ? 'invalid' : ''}
                    title={err ?? props.filterEcho?.[field] ?? filterHint(entity, field)}
                    placeholder={filterHint(entity, field)}
                    value={props.columnFilters[field] ?? ''}
                    onChange={(e) => props.onColumnFilter(field, e.target.value)}
                  />
                </div>
              );
            })}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), width, position: 'relative' }}>
          {items.map((it, i) => {
            const row = rows[i];
            if (!row) return null;
            const loading = row.original[LOADING] !== undefined;
            const selected = isSelected(selection, it.index);
            const cue = loading ? '' : rowCue(entity, row.original);
            return (
              <div
                key={it.key}
                id={rowId(it.index)}
                role="row"
                aria-rowindex={it.index + 3}
                aria-selected={selected}
                data-row-index={it.index}
                data-loading={loading || undefined}
                data-cue={cue || undefined}
                className={`grid-row ${selected ? 'selected' : ''} ${it.index % 2 ? 'odd' : ''} ${cue} ${
                  cursor === it.index ? 'cursor' : ''
                } ${jumped === it.index ? 'jumped' : ''}`}
                style={{ transform: `translateY(${it.start}px)`, height: ROW_HEIGHT, width }}
                // Text selection would follow a shift-click across the grid; the grid selects rows.
                onMouseDown={(e) => e.shiftKey && e.preventDefault()}
                onClick={(e) => {
                  scrollRef.current?.focus({ preventScroll: true });
                  select(it.index, e);
                }}
                onDoubleClick={loading ? undefined : () => props.onOpen(row.original)}
              >
                {loading ? (
                  <div role="gridcell" className="grid-td muted">
                    …
                  </div>
                ) : (
                  row.getAllCells().map((c, ci) => {
                    const text = formatCell(entity, c.column.id, c.getValue());
                    const isName = c.column.id === NAME_FIELD;
                    return (
                      <div
                        key={c.id}
                        role="gridcell"
                        aria-colindex={ci + 1}
                        className={`grid-td ${fieldDef(entity, c.column.id)?.type === 'number' ? 'num' : ''}`}
                        style={{ width: widthOf(c.column.id, c.column.getSize()) }}
                        // The whole value on hover, for cells too narrow to show it.
                        title={text.length > 12 ? text : undefined}
                      >
                        {isName && text ? (
                          <span
                            className="cell-link"
                            data-open-row
                            onClick={(e) => {
                              if (e.shiftKey || e.ctrlKey || e.metaKey) return;
                              props.onOpen(row.original);
                            }}
                          >
                            {text}
                          </span>
                        ) : (
                          text
                        )}
                      </div>
                    );
                  })
                )}
              </div>
            );
          })}
        </div>
      </div>
      {cache.total === 0 && <div className="grid-empty">No rows match.</div>}
      {cache.error && (
        <div className="grid-error" role="alert">
          Could not load rows: {cache.error}
        </div>
      )}
    </div>
  );
}
