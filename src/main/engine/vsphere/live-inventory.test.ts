import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../shared/inventory.js';
import { LiveInventory } from './live-inventory.js';
import { livePaths, POLLED_PATHS, PROPERTY_PATHS } from './properties.js';
import type { ObjectUpdate, PropertyChange } from './property-filter.js';
import { MoRef, type XValue } from './xml.js';

const r = (type: string, id: string): MoRef => new MoRef(type, id);
const assign = (props: Record<string, XValue>): PropertyChange[] =>
  Object.entries(props).map(([name, val]) => ({ name, op: 'assign', val }));
const enter = (ref: MoRef, props: Record<string, XValue>): ObjectUpdate => ({
  kind: 'enter',
  ref,
  changes: assign(props),
  missing: [],
});
const modify = (ref: MoRef, props: Record<string, XValue>): ObjectUpdate => ({
  kind: 'modify',
  ref,
  changes: assign(props),
  missing: [],
});

const dc = r('Datacenter', 'dc-1');
const vmFolder = r('Folder', 'group-v1');
const web = r('Folder', 'group-v2');
const cluster = r('ClusterComputeResource', 'c-1');
const h1 = r('HostSystem', 'host-1');
const h2 = r('HostSystem', 'host-2');
const ds1 = r('Datastore', 'ds-1');
const ds2 = r('Datastore', 'ds-2');
const net = r('DistributedVirtualPortgroup', 'pg-1');
const pool = r('ResourcePool', 'rp-1');

function seed(inv: LiveInventory): void {
  for (const u of [
    enter(r('Folder', 'group-d1'), { name: 'Datacenters' }),
    enter(dc, { name: 'DC1', parent: r('Folder', 'group-d1') }),
    enter(vmFolder, { name: 'vm', parent: dc }),
    enter(web, { name: 'Web', parent: vmFolder }),
    enter(r('Folder', 'group-h1'), { name: 'host', parent: dc }),
    enter(cluster, { name: 'Prod', parent: r('Folder', 'group-h1'), host: [h1, h2] }),
    enter(pool, { name: 'Resources', parent: cluster }),
    enter(h1, { name: 'esx1', parent: cluster, vm: [r('VirtualMachine', 'vm-1')] }),
    enter(h2, { name: 'esx2', parent: cluster, vm: [r('VirtualMachine', 'vm-2')] }),
    enter(ds1, { name: 'ds-a', parent: dc }),
    enter(ds2, { name: 'ds-b', parent: dc }),
    enter(net, { name: 'VLAN-10', parent: dc }),
  ])
    inv.apply(u);
  for (const [id, host, ds, folder] of [
    ['vm-1', h1, ds1, web],
    ['vm-2', h2, ds2, vmFolder],
    ['vm-3', h2, ds1, web],
  ] as const)
    inv.apply(
      enter(r('VirtualMachine', id), {
        name: `${id}-name`,
        parent: folder,
        resourcePool: pool,
        'runtime.host': host,
        'runtime.powerState': 'poweredOn',
        datastore: [ds],
        network: [net],
      }),
    );
}

/** The rows a delta carries must equal the same rows of a fresh full build over the same objects. */
function expectDeltaMatchesFullBuild(inv: LiveInventory, touched: Record<string, string[]>): void {
  const delta = inv.takeDelta();
  const full: Inventory = inv.build();
  const byMoid = <T extends { moid: string }>(rows: T[]) => new Map(rows.map((x) => [x.moid, x]));
  const got = {
    vms: delta.vms.map((v) => v.row),
    hosts: delta.hosts.map((h) => h.row),
    datastores: delta.datastores,
    networks: delta.networks,
    clusters: delta.clusters,
    datacenters: delta.datacenters,
  };
  for (const [entity, moids] of Object.entries(touched)) {
    const rows = got[entity as keyof typeof got];
    expect(rows.map((x) => x.moid).sort(), entity).toEqual([...moids].sort());
    const want = byMoid(full[entity as keyof typeof got] as { moid: string }[]);
    for (const row of rows) expect(row, `${entity} ${row.moid}`).toEqual(want.get(row.moid));
  }
}

describe('LiveInventory', () => {
  it('rebuilds only the rows a change touches, equal to a full build', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    inv.apply(modify(r('VirtualMachine', 'vm-1'), { 'runtime.powerState': 'poweredOff' }));
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-1'], hosts: [], clusters: [], datacenters: [] });
  });

  it('a renamed datastore, network or pool reaches the VM rows that show it', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    inv.apply(modify(ds1, { name: 'ds-a-renamed' }));
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-1', 'vm-3'], datastores: ['ds-1'] });
    inv.apply(modify(net, { name: 'VLAN-20' }));
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-1', 'vm-2', 'vm-3'], networks: ['pg-1'] });
    inv.apply(modify(pool, { name: 'Gold' }));
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-1', 'vm-2', 'vm-3'] });
  });

  it('a renamed cluster reaches its hosts and their VMs; a vMotion moves counts', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    inv.apply(modify(cluster, { name: 'Prod-2' }));
    expectDeltaMatchesFullBuild(inv, {
      vms: ['vm-1', 'vm-2', 'vm-3'],
      hosts: ['host-1', 'host-2'],
      clusters: ['c-1'],
    });
    inv.apply(modify(r('VirtualMachine', 'vm-3'), { 'runtime.host': h1 }));
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-3'], clusters: [] });
  });

  it('a renamed folder or datacenter rebuilds every row (folder paths, datacenter names)', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    inv.apply(modify(web, { name: 'Frontend' }));
    expectDeltaMatchesFullBuild(inv, {
      vms: ['vm-1', 'vm-2', 'vm-3'],
      hosts: ['host-1', 'host-2'],
      datastores: ['ds-1', 'ds-2'],
      networks: ['pg-1'],
    });
    inv.apply(modify(dc, { name: 'DC-East' }));
    expectDeltaMatchesFullBuild(inv, {
      vms: ['vm-1', 'vm-2', 'vm-3'],
      hosts: ['host-1', 'host-2'],
      clusters: ['c-1'],
      datacenters: ['dc-1'],
    });
  });

  it('enter and leave update counts; a removed host leaves its VMs without a host name', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    inv.apply(
      enter(r('VirtualMachine', 'vm-4'), { name: 'new', parent: web, 'runtime.host': h1, datastore: [ds2] }),
    );
    expectDeltaMatchesFullBuild(inv, { vms: ['vm-4'], clusters: ['c-1'], datacenters: ['dc-1'] });
    expect(inv.counts().vms).toBe(4);
    inv.apply({ kind: 'leave', ref: h2, changes: [], missing: [] });
    const d = inv.takeDelta();
    expect(d.removed.hosts).toEqual(['host-2']);
    expect(d.vms.map((v) => [v.row.moid, v.row.host]).sort()).toEqual([
      ['vm-2', null],
      ['vm-3', null],
    ]);
    expect(d.countsChanged).toBe(true);
  });

  it('asks for a re-read when a change is below a requested path', () => {
    const inv = new LiveInventory();
    seed(inv);
    inv.buildAll();
    expect(inv.apply(modify(r('VirtualMachine', 'vm-1'), { 'guest.net[4000].ipAddress': '10.0.0.1' }))).toBe(
      false,
    );
    expect(inv.apply(modify(r('VirtualMachine', 'vm-1'), { 'guest.ipAddress': '10.0.0.1' }))).toBe(true);
  });

  it('partitions are polled, not streamed: applied and written only when they differ, kept over a re-read', () => {
    expect(POLLED_PATHS['VirtualMachine']).toContain('guest.disk');
    expect(PROPERTY_PATHS['VirtualMachine']).toContain('guest.disk');
    expect(livePaths()['VirtualMachine']).not.toContain('guest.disk');
    expect(livePaths()['VirtualMachine']).toHaveLength(PROPERTY_PATHS['VirtualMachine']!.length - 1);
    const inv = new LiveInventory(livePaths());
    seed(inv);
    const vm1 = r('VirtualMachine', 'vm-1');
    const disk = (free: string): XValue => [{ diskPath: 'C:\\', capacity: '1000', freeSpace: free }];
    expect(inv.applyPolled(vm1, 'guest.disk', disk('500'))).toBe(true);
    inv.buildAll();
    inv.takeDelta();
    // The same partitions read again: nothing to write.
    expect(inv.applyPolled(vm1, 'guest.disk', disk('500'))).toBe(false);
    expect(inv.pending).toBe(false);
    // Free space moved: the VM's rows are rebuilt with the new figures.
    expect(inv.applyPolled(vm1, 'guest.disk', disk('100'))).toBe(true);
    const d = inv.takeDelta();
    expect(d.vms.map((v) => v.row.moid)).toEqual(['vm-1']);
    expect(d.vms[0]!.partitions).toMatchObject([
      { name: 'C:\\', capacityBytes: 1000, freeBytes: 100, freePercent: 10 },
    ]);
    // A re-read of the streamed paths (after a partial update) keeps the polled value.
    inv.refresh({
      ref: vm1,
      props: new Map<string, XValue>([
        ['name', 'vm-1'],
        ['runtime.host', h1],
      ]),
    });
    expect(inv.takeDelta().vms[0]!.partitions).toHaveLength(1);
    // A VM the view does not hold is ignored.
    expect(inv.applyPolled(r('VirtualMachine', 'vm-404'), 'guest.disk', disk('1'))).toBe(false);
  });
});
