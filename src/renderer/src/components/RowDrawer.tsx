import { useEffect, useRef, useState } from 'react';
import { entityLabel, FIELDS, type FieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { Filter } from '../../../shared/query.js';
import { api } from '../api/client.js';
import { formatCell } from '../lib/format.js';
import { useDialog } from '../lib/use-dialog.js';
import { useGrids } from '../stores/grids.js';
import { isGridView, useNav } from '../stores/nav.js';
import type { GridRow } from './DataGrid.js';
import { DetailSections } from './DetailSections.js';
import { HistoryList } from './HistoryList.js';
import { OBJECT_HISTORY_ENTITIES } from '../../../shared/change-kinds.js';

/** Counts that open the counted objects in their grid: a host's VMs, a cluster's hosts… */
const COUNT_LINKS: Partial<Record<QueryEntity, Record<string, { entity: QueryEntity; field: string }>>> = {
  hosts: { vmCount: { entity: 'vms', field: 'host' } },
  clusters: {
    vmCount: { entity: 'vms', field: 'cluster' },
    hostCount: { entity: 'hosts', field: 'cluster' },
  },
  datastores: { vmCount: { entity: 'vms', field: 'datastores' } },
  networks: { vmCount: { entity: 'vms', field: 'networks' } },
  datacenters: {
    clusterCount: { entity: 'clusters', field: 'datacenter' },
    hostCount: { entity: 'hosts', field: 'datacenter' },
    vmCount: { entity: 'vms', field: 'datacenter' },
  },
  vms: {
    snapshotCount: { entity: 'snapshots', field: 'vm' },
    diskCount: { entity: 'disks', field: 'vm' },
    nicCount: { entity: 'nics', field: 'vm' },
  },
};

interface Related {
  entity: QueryEntity;
  names: string[];
}

/** Fields that name another object, and the grid that object lives in. */
const LINKS: Partial<Record<QueryEntity, Record<string, QueryEntity>>> = {
  vms: {
    host: 'hosts',
    cluster: 'clusters',
    datastores: 'datastores',
    networks: 'networks',
    datacenter: 'datacenters',
  },
  hosts: { cluster: 'clusters', datacenter: 'datacenters' },
  snapshots: { vm: 'vms' },
  disks: { vm: 'vms', datastore: 'datastores' },
  nics: { vm: 'vms', network: 'networks' },
  partitions: { vm: 'vms' },
  datastores: { datacenter: 'datacenters' },
  networks: { datacenter: 'datacenters' },
  clusters: { datacenter: 'datacenters' },
};

function related(entity: QueryEntity, field: string, value: unknown): Related | null {
  const target = LINKS[entity]?.[field];
  if (!target || value === null || value === undefined || value === '') return null;
  const names = Array.isArray(value) ? value.map(String) : [String(value)];
  return { entity: target, names };
}

interface Frame {
  entity: QueryEntity;
  row: GridRow;
}

/** All fields of one row; related objects open in the same drawer (with a way back). */
export function RowDrawer(props: {
  entity: QueryEntity;
  row: GridRow;
  onClose: () => void;
}): React.JSX.Element {
  const [stack, setStack] = useState<Frame[]>([{ entity: props.entity, row: props.row }]);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<'fields' | 'history'>('fields');
  useEffect(() => {
    setStack([{ entity: props.entity, row: props.row }]);
    setTab('fields');
  }, [props.entity, props.row]);
  const top = stack.at(-1)!;

  const ref = useRef<HTMLDivElement>(null);
  useDialog(ref, props.onClose);
  const patchGrid = useGrids((s) => s.patch);
  const go = useNav((s) => s.go);

  /** A count opens the counted objects in their grid, filtered to this object. */
  const openCounted = (target: { entity: QueryEntity; field: string }): void => {
    if (!isGridView(target.entity as never)) return;
    const chips: Filter[] = [
      { kind: 'text', field: 'vcenter', op: 'equals', value: String(top.row['vcenter'] ?? '') },
      { kind: 'text', field: target.field, op: 'equals', value: String(top.row['name'] ?? '') },
    ];
    patchGrid(target.entity, { chips, quick: '', columnFilters: {} });
    props.onClose();
    go(target.entity as never);
  };

  const open = async (entity: QueryEntity, name: string): Promise<void> => {
    setError(null);
    try {
      const r = await api.call('inventory.list', {
        entity,
        limit: 1,
        filter: {
          kind: 'and',
          filters: [
            { kind: 'text', field: 'vcenter', op: 'equals', value: String(top.row['vcenter'] ?? '') },
            { kind: 'text', field: 'name', op: 'equals', value: name },
          ],
        },
      });
      const row = r.items[0];
      if (!row) setError(`${name} is not in the cache (it may have been removed since the last sync).`);
      else setStack([...stack, { entity, row }]);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const defs = Object.entries(FIELDS[top.entity] as Record<string, FieldDef>);
  const hasHistory =
    OBJECT_HISTORY_ENTITIES.has(top.entity) &&
    top.row['vcenterId'] !== undefined &&
    top.row['moid'] !== undefined;
  return (
    <div className="drawer" role="dialog" aria-label="Row details" ref={ref}>
      <div className="drawer-head">
        {stack.length > 1 && (
          <button className="ghost" onClick={() => setStack(stack.slice(0, -1))} aria-label="Back">
            ←
          </button>
        )}
        <h2>{String(top.row['name'] ?? '')}</h2>
        <button className="ghost" onClick={props.onClose} aria-label="Close details" data-autofocus>
          ✕
        </button>
      </div>
      <p className="muted">{entityLabel(top.entity, false)}</p>
      {error && <p className="error">{error}</p>}
      {hasHistory && (
        <div className="drawer-tabs" role="tablist" aria-label="Details">
          <button
            role="tab"
            aria-selected={tab === 'fields'}
            className="ghost"
            onClick={() => setTab('fields')}
          >
            Fields
          </button>
          <button
            role="tab"
            aria-selected={tab === 'history'}
            className="ghost"
            onClick={() => setTab('history')}
          >
            History
          </button>
        </div>
      )}
      {hasHistory && tab === 'history' ? (
        <HistoryList vcenterId={Number(top.row['vcenterId'])} moid={String(top.row['moid'])} />
      ) : (
        <>
          <dl className="fields">
            {defs.map(([field, def]) => {
              const v = top.row[field];
              const rel = related(top.entity, field, v);
              const counted = COUNT_LINKS[top.entity]?.[field];
              return (
                <div key={field} className="field">
                  <dt>{def.label}</dt>
                  <dd>
                    {rel ? (
                      rel.names.map((n) => (
                        <button key={n} className="link" onClick={() => void open(rel.entity, n)}>
                          {n}
                        </button>
                      ))
                    ) : counted && typeof v === 'number' && v > 0 && isGridView(counted.entity as never) ? (
                      <button
                        className="link"
                        data-count={field}
                        title={`Show these ${entityLabel(counted.entity)} in their grid`}
                        onClick={() => openCounted(counted)}
                      >
                        {formatCell(top.entity, field, v)}
                      </button>
                    ) : (
                      formatCell(top.entity, field, v) || <span className="muted">—</span>
                    )}
                  </dd>
                </div>
              );
            })}
          </dl>
          {(top.entity === 'vms' || top.entity === 'hosts') && (
            <DetailSections entity={top.entity} row={top.row} />
          )}
        </>
      )}
    </div>
  );
}
