import { useEffect, useState } from 'react';
import { FIELDS, fieldDef, type FieldDef, type QueryEntity } from '../../../shared/fields.js';
import { api } from '../api/client.js';
import { formatCell } from '../lib/format.js';
import type { GridRow } from './DataGrid.js';

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
  useEffect(() => {
    setStack([{ entity: props.entity, row: props.row }]);
  }, [props.entity, props.row]);
  const top = stack.at(-1)!;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') props.onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props]);

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
  return (
    <aside className="drawer" role="dialog" aria-label="Row details">
      <header className="drawer-head">
        {stack.length > 1 && (
          <button className="ghost" onClick={() => setStack(stack.slice(0, -1))} aria-label="Back">
            ←
          </button>
        )}
        <h2>{String(top.row['name'] ?? '')}</h2>
        <button className="ghost" onClick={props.onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      <p className="muted">{fieldDef(top.entity, 'name') ? top.entity.replace(/s$/, '') : top.entity}</p>
      {error && <p className="error">{error}</p>}
      <dl className="fields">
        {defs.map(([field, def]) => {
          const v = top.row[field];
          const rel = related(top.entity, field, v);
          return (
            <div key={field} className="field">
              <dt>{def.label}</dt>
              <dd>
                {rel
                  ? rel.names.map((n) => (
                      <button key={n} className="link" onClick={() => void open(rel.entity, n)}>
                        {n}
                      </button>
                    ))
                  : formatCell(top.entity, field, v) || <span className="muted">—</span>}
              </dd>
            </div>
          );
        })}
      </dl>
    </aside>
  );
}
