import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { entityLabel, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';
import { api } from '../api/client.js';
import { ColumnChooser } from '../components/ColumnChooser.js';
import { CopyStatus } from '../components/CopyStatus.js';
import { DataGrid, type GridRow } from '../components/DataGrid.js';
import { ExportButtons } from '../components/ExportButtons.js';
import { RowDrawer } from '../components/RowDrawer.js';
import { and, chipsOf, columnFilter, quickSearchFilter } from '../lib/filters.js';
import { countSelected, NO_SELECTION, type IndexSelection } from '../lib/index-selection.js';
import type { PageCache } from '../lib/page-cache.js';
import { useGridCopy } from '../lib/use-grid-copy.js';
import { useGrid, useGrids } from '../stores/grids.js';
import { useStatus } from '../stores/status.js';

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** One entity's grid: quick search, filter chips, per-column filters, sort, details, copy, export. */
export function InventoryPage({ entity }: { entity: QueryEntity }): React.JSX.Element {
  const g = useGrid(entity);
  const patch = useGrids((s) => s.patch);
  const resetLayout = useGrids((s) => s.resetLayout);
  const version = useStatus((s) => s.inventoryVersion);
  const [total, setTotal] = useState<number | null>(null);
  const [selection, setSelection] = useState<IndexSelection>(NO_SELECTION);
  const cacheRef = useRef<PageCache<GridRow> | null>(null);
  const [open, setOpen] = useState<GridRow | null>(null);
  const [jump, setJump] = useState<{ index: number; seq: number } | null>(null);
  const jumpInput = useRef<HTMLInputElement>(null);

  const { filter, errors, echo } = useMemo(() => {
    const errs: Record<string, string> = {};
    const said: Record<string, string> = {};
    const parts: (Filter | undefined)[] = [...g.chips, quickSearchFilter(entity, g.quick)];
    for (const [field, text] of Object.entries(g.columnFilters)) {
      if (!g.columns.includes(field)) continue;
      const r = columnFilter(entity, field, text);
      if ('error' in r) errs[field] = r.error;
      else {
        parts.push(r.filter);
        if (r.understood) said[field] = r.understood;
      }
    }
    return { filter: and(...parts), errors: errs, echo: said };
  }, [entity, g.chips, g.quick, g.columnFilters, g.columns]);

  const queryKey = JSON.stringify([entity, filter ?? null, g.sort]);
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      api.call('inventory.list', {
        entity,
        limit,
        offset,
        ...(filter ? { filter } : {}),
        ...(g.sort.length ? { sort: g.sort } : {}),
      }),
    [entity, filter, g.sort],
  );

  // A selection is row positions in one sort and filter: under another they name other rows, so
  // it is cleared, and said so. An inventory change (sync, live update) keeps the positions.
  const selected = countSelected(selection);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const [cleared, setCleared] = useState(false);
  useEffect(() => {
    if (selectedRef.current > 0) setCleared(true);
    setSelection(NO_SELECTION);
  }, [queryKey]);

  const copier = useGridCopy({ entity, columns: g.columns, fetchPage });
  const copy = (): void => copier.copy(selection, cacheRef.current);
  const copying = copier.state.phase === 'copying';

  const chips = chipsOf(entity, and(...g.chips));
  const title = capitalised(entityLabel(entity));
  const understood = g.columns.filter((f) => echo[f]).map((f) => echo[f]!);
  const problems = g.columns.filter((f) => errors[f]);
  return (
    <section className="page inventory">
      <header className="toolbar">
        <h1>{title}</h1>
        <input
          type="search"
          className="quick"
          placeholder={`Search ${entityLabel(entity)}…`}
          aria-label="Quick search"
          value={g.quick}
          onChange={(e) => patch(entity, { quick: e.target.value })}
        />
        <span className="count" data-testid="grid-total">
          {total === null
            ? 'Loading…'
            : `${total.toLocaleString()} ${total === 1 ? entityLabel(entity, false) : entityLabel(entity)}`}
        </span>
        <span className="spacer" />
        <form
          className="jump"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(jumpInput.current?.value);
            if (Number.isInteger(n) && n > 0) setJump({ index: n - 1, seq: (jump?.seq ?? 0) + 1 });
          }}
        >
          <input ref={jumpInput} type="number" min={1} placeholder="Go to row" aria-label="Go to row" />
          <button type="submit" className="sr-only">
            Go
          </button>
        </form>
        {selected > 0 && (
          <span
            className="count"
            data-testid="grid-selected"
            title="Selected by row position: changing the sort or a filter clears the selection"
          >
            {selected.toLocaleString()} selected
          </span>
        )}
        <button
          onClick={copy}
          disabled={selected === 0 || copying}
          title="Copy selected rows as tab-separated text (Ctrl+C; Ctrl+A selects all)"
        >
          Copy
        </button>
        <ColumnChooser
          entity={entity}
          columns={g.columns}
          onChange={(columns) => patch(entity, { columns })}
          onReset={() => resetLayout(entity)}
        />
        <ExportButtons
          spec={() => ({
            entity,
            ...(filter ? { filters: filter } : {}),
            ...(g.sort.length ? { sort: g.sort } : {}),
            columns: g.columns,
            suggestedName: `vminer-${entity}`,
          })}
        />
      </header>
      {(chips.length > 0 || Object.values(g.columnFilters).some(Boolean) || g.quick) && (
        <div className="chips" aria-label="Active filters">
          {chips.map((c, i) => (
            <span key={i} className="chip">
              {c.label}
              <button
                aria-label={`Remove filter ${c.label}`}
                onClick={() => patch(entity, { chips: g.chips.filter((f) => f !== c.filter) })}
              >
                ✕
              </button>
            </span>
          ))}
          <button
            className="ghost"
            onClick={() => patch(entity, { chips: [], quick: '', columnFilters: {} })}
          >
            Clear all filters
          </button>
        </div>
      )}
      {(understood.length > 0 || problems.length > 0) && (
        <p className="filter-echo small" data-testid="filter-echo" aria-live="polite">
          {understood.length > 0 && (
            <>
              <span className="muted">Column filters: </span>
              {understood.join(' · ')}
            </>
          )}
          {problems.map((f) => (
            <span key={f} className="error">
              {' '}
              {fieldDef(entity, f)?.label ?? f}: {errors[f]}
            </span>
          ))}
        </p>
      )}
      <CopyStatus
        state={copier.state}
        cleared={cleared && selected === 0}
        onCancel={copier.cancel}
        onWrite={copier.writeReady}
      />
      <DataGrid
        entity={entity}
        columns={g.columns}
        widths={g.widths}
        onWidthsChange={(widths) => patch(entity, { widths })}
        sort={g.sort}
        onSortChange={(sort) => patch(entity, { sort })}
        queryKey={queryKey}
        dataVersion={version}
        fetchPage={fetchPage}
        selection={selection}
        onSelectionChange={(sel) => {
          setCleared(false);
          setSelection(sel);
        }}
        cacheRef={cacheRef}
        onOpen={setOpen}
        onCopy={copy}
        onTotal={setTotal}
        columnFilters={g.columnFilters}
        filterErrors={errors}
        onColumnFilter={(field, text) =>
          patch(entity, { columnFilters: { ...g.columnFilters, [field]: text } })
        }
        jump={jump}
        label={title}
        filterEcho={echo}
      />
      {open && (
        <RowDrawer
          entity={entity}
          row={open}
          onClose={() => {
            setOpen(null);
            // Opened from a row that scrolled away: focus goes back to the grid itself.
            requestAnimationFrame(() => {
              if (document.activeElement === document.body)
                document.querySelector<HTMLElement>('[data-testid="grid-scroll"]')?.focus();
            });
          }}
        />
      )}
    </section>
  );
}
