import { useEffect, useState } from 'react';
import type { ObjectDetails } from '../../../shared/contract.js';
import type { QueryEntity } from '../../../shared/fields.js';
import { api } from '../api/client.js';
import { formatCell } from '../lib/format.js';
import type { GridRow } from './DataGrid.js';

type Rows = Record<string, unknown>[];
type Column = { field: string; label: string; render?: (r: Record<string, unknown>) => string };

/** A small table of child rows: the columns given, formatted as their grid shows them. */
function ChildTable(props: {
  entity: QueryEntity;
  rows: Rows;
  columns: Column[];
  testId: string;
}): React.JSX.Element {
  return (
    <div className="answer-table-wrap">
      <table className="list small" data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.field} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={String(r['moid'] ?? i)}>
              {props.columns.map((c) => (
                <td key={c.field}>
                  {c.render ? c.render(r) : formatCell(props.entity, c.field, r[c.field])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Section(props: { title: string; count: number; children: React.ReactNode }): React.JSX.Element {
  return (
    <section className="drawer-section" aria-label={props.title}>
      <h3>
        {props.title} <span className="muted">({props.count})</span>
      </h3>
      {props.count === 0 ? <p className="muted small">None.</p> : props.children}
    </section>
  );
}

const busUnit = (r: Record<string, unknown>): string =>
  r['busNumber'] === null || r['busNumber'] === undefined
    ? ''
    : `${String(r['controllerType'] ?? '')} ${String(r['busNumber'])}:${String(r['unitNumber'] ?? '')}`.trim();

/** A VM's child-row sections, in the drawer's order: the table of each and its columns. */
const VM_SECTIONS: {
  title: string;
  entity: 'disks' | 'nics' | 'partitions' | 'snapshots';
  columns: Column[];
}[] = [
  {
    title: 'Disks',
    entity: 'disks',
    columns: [
      { field: 'name', label: 'Disk' },
      { field: 'capacityBytes', label: 'Capacity' },
      { field: 'provisioning', label: 'Provisioning' },
      { field: 'datastore', label: 'Datastore' },
      { field: 'controller', label: 'Controller', render: busUnit },
      { field: 'diskMode', label: 'Mode' },
    ],
  },
  {
    title: 'Network adapters',
    entity: 'nics',
    columns: [
      { field: 'name', label: 'Adapter' },
      { field: 'adapterType', label: 'Type' },
      { field: 'network', label: 'Network' },
      { field: 'macAddress', label: 'MAC' },
      { field: 'connected', label: 'Connected' },
      { field: 'ipv4', label: 'IPv4' },
    ],
  },
  {
    title: 'Partitions',
    entity: 'partitions',
    columns: [
      { field: 'name', label: 'Path' },
      { field: 'capacityBytes', label: 'Capacity' },
      { field: 'freeBytes', label: 'Free' },
      { field: 'usedPercent', label: 'Used' },
    ],
  },
  {
    title: 'Snapshots',
    entity: 'snapshots',
    columns: [
      { field: 'name', label: 'Snapshot' },
      { field: 'createdAt', label: 'Taken' },
      { field: 'sizeTotalBytes', label: 'Size' },
      { field: 'description', label: 'Description' },
    ],
  },
];

/**
 * The row drawer's sections for a VM (disks, NICs, partitions, snapshots, tags, custom attributes)
 * or a host (tags, custom attributes), read by the row's vCenter and managed object id.
 */
export function DetailSections(props: { entity: 'vms' | 'hosts'; row: GridRow }): React.JSX.Element {
  const [details, setDetails] = useState<ObjectDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const vcenterId = Number(props.row['vcenterId']);
  const moid = String(props.row['moid'] ?? '');
  useEffect(() => {
    let live = true;
    setDetails(null);
    setError(null);
    if (!Number.isInteger(vcenterId) || vcenterId <= 0 || !moid) return;
    api
      .call('inventory.details', { entity: props.entity, vcenterId, moid })
      .then((d) => live && setDetails(d))
      .catch((e: unknown) => live && setError((e as Error).message));
    return () => {
      live = false;
    };
  }, [props.entity, vcenterId, moid]);

  if (error) return <p className="error">{error}</p>;
  if (!details) return <p className="muted small">Loading details…</p>;
  const vm = props.entity === 'vms';
  return (
    <div className="drawer-sections" data-testid="drawer-sections">
      {vm &&
        VM_SECTIONS.map((sec) => (
          <Section key={sec.entity} title={sec.title} count={details[sec.entity].length}>
            <ChildTable
              entity={sec.entity}
              rows={details[sec.entity]}
              testId={`drawer-${sec.entity}`}
              columns={sec.columns}
            />
          </Section>
        ))}
      <Section title="Tags" count={details.tags.length}>
        <ul className="tag-list" data-testid="drawer-tags">
          {details.tags.map((t) => (
            <li key={`${t.category}/${t.name}`} className="chip" title={t.description ?? undefined}>
              {t.category}: {t.name}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Custom attributes" count={details.attributes.length}>
        <dl className="fields" data-testid="drawer-attributes">
          {details.attributes.map((a) => (
            <div key={a.name} className="field">
              <dt>{a.name}</dt>
              <dd>{a.value ?? <span className="muted">—</span>}</dd>
            </div>
          ))}
        </dl>
      </Section>
    </div>
  );
}
