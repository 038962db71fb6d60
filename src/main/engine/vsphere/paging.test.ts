/**
 * Paged property retrieval against a real simulator, behind a proxy that pages answers the way a
 * vCenter does (the govmomi simulator itself ignores maxObjects and cannot continue a retrieval).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VminerError } from '../../../shared/errors.js';
import type { Inventory } from '../../../shared/inventory.js';
import { collectInventory, type CollectOptions, type CollectResult } from './collect.js';
import {
  startPagingProxy,
  type PagingProxy,
  type PagingProxyOptions,
} from '../../../testing/paging-proxy.js';

const USER = 'pager';
const PASSWORD = 'paging-secret';
const PAGE = 25;

let sim: RunningSimulator;
let direct: CollectResult;
const proxies: PagingProxy[] = [];

function collect(
  url: string,
  thumbprint: string,
  extra: Partial<CollectOptions> = {},
): Promise<CollectResult> {
  return collectInventory({
    url,
    user: USER,
    password: PASSWORD,
    trust: { kind: 'thumbprint', sha256: thumbprint },
    callTimeoutMs: 30_000,
    maxObjects: PAGE,
    ...extra,
  });
}

async function proxy(opts: PagingProxyOptions = {}): Promise<PagingProxy> {
  const p = await startPagingProxy(sim, opts);
  proxies.push(p);
  return p;
}

function viaProxy(p: PagingProxy, extra: Partial<CollectOptions> = {}): Promise<CollectResult> {
  return collect(p.url, p.thumbprintSha256, extra);
}

/** Every row list sorted by a stable key, so two collections compare regardless of object order. */
function sorted(inv: Inventory): Inventory {
  const byMoid = <T extends { moid: string }>(rows: T[]): T[] =>
    [...rows].sort((a, b) => a.moid.localeCompare(b.moid));
  const pairs = (rows: [string, string][]): [string, string][] =>
    [...rows].sort((a, b) => a.join('\0').localeCompare(b.join('\0')));
  const byKey = <T extends object>(rows: T[]): T[] =>
    [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return {
    ...inv,
    disks: byMoid(inv.disks),
    nics: byMoid(inv.nics),
    partitions: byMoid(inv.partitions),
    vmCustomValues: byKey(inv.vmCustomValues),
    hostCustomValues: byKey(inv.hostCustomValues),
    hostNics: byKey(inv.hostNics),
    hostVmkernels: byKey(inv.hostVmkernels),
    hostVswitches: byKey(inv.hostVswitches),
    dvSwitches: byMoid(inv.dvSwitches),
    // The tagging API lists in no particular order.
    ...(inv.tags
      ? {
          tags: {
            categories: byKey(inv.tags.categories),
            tags: byKey(inv.tags.tags),
            attachments: byKey(inv.tags.attachments),
          },
        }
      : {}),
    datacenters: byMoid(inv.datacenters),
    clusters: byMoid(inv.clusters),
    hosts: byMoid(inv.hosts),
    datastores: byMoid(inv.datastores),
    networks: byMoid(inv.networks),
    vms: byMoid(inv.vms),
    snapshots: byMoid(inv.snapshots),
    vmDatastores: pairs(inv.vmDatastores),
    vmNetworks: pairs(inv.vmNetworks),
    hostDatastores: pairs(inv.hostDatastores),
  };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the collection to fail, but it returned a result');
}

beforeAll(async () => {
  sim = await startSimulator({ vms: 120, seed: 7, user: USER, password: PASSWORD });
  // The simulator answers everything in one page, whatever maxObjects says.
  direct = await collect(sim.url, sim.thumbprintSha256);
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await stopAll();
});

describe('paged RetrievePropertiesEx through a paging proxy', () => {
  it('the direct collection is one page with every VM', () => {
    expect(direct.pages).toBe(1);
    expect(direct.inventory.vms).toHaveLength(sim.counts.vms);
    expect(direct.inventory.hosts).toHaveLength(sim.counts.hosts);
    expect(direct.droppedPaths).toEqual([]);
  });

  it('follows every token and collects exactly what the simulator holds', async () => {
    const p = await proxy();
    const res = await viaProxy(p);
    expect(res.objects).toBe(direct.objects);
    const pages = Math.ceil(res.objects / PAGE);
    expect(pages).toBeGreaterThanOrEqual(6);
    expect(res.pages).toBe(pages);
    // One for the view, then one each for the VMs' devices (no cache here: all of them), the
    // custom attribute names (CustomFieldsManager.field) and the snapshot sizes (layoutEx).
    expect(p.callCount('RetrievePropertiesEx')).toBe(4);
    expect(p.callCount('ContinueRetrievePropertiesEx')).toBe(pages - 1);
    // …plus their one page each.
    expect(p.pagesServed).toBe(pages + 3);
    expect(sorted(res.inventory)).toEqual(sorted(direct.inventory));
    expect(res.about).toEqual(direct.about);
    expect(res.droppedPaths).toEqual([]);
    expect(res.missing).toEqual(direct.missing);
  });

  it('a lost token fails the collection instead of returning a truncated inventory', async () => {
    const p = await proxy();
    let pagesSeen = 0;
    const err = await failure(
      viaProxy(p, {
        onProgress: (e) => {
          if (e.phase !== 'collecting') return;
          pagesSeen++;
          p.forgetTokens(); // the retrieval expires on the server after the first page
        },
      }),
    );
    expect(pagesSeen).toBe(1);
    expect(p.callCount('ContinueRetrievePropertiesEx')).toBe(1);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/token/i);
    expect(message).toContain('127.0.0.1');
    expect(err).toBeInstanceOf(VminerError);
    expect((err as VminerError).code).toBe('PROTOCOL');
  });

  it.each([0, 2])(
    'a connection dropped mid-answer (after %i whole pages) is an error, not partial data',
    async (n) => {
      const p = await proxy({ dropConnectionAfterPages: n });
      const err = await failure(viaProxy(p));
      expect(err).toBeInstanceOf(VminerError);
      expect(['UNREACHABLE', 'PROTOCOL']).toContain((err as VminerError).code);
      expect((err as Error).message).toContain('127.0.0.1');
      expect(p.pagesServed).toBe(n);
    },
  );

  it('an InvalidProperty fault drops that path and retries', async () => {
    const p = await proxy({ injectInvalidProperty: 'guest.toolsVersionStatus2' });
    const res = await viaProxy(p);
    expect(res.droppedPaths).toEqual(['VirtualMachine.guest.toolsVersionStatus2']);
    // The rejected call, the retry, the devices, the custom attribute names and the snapshot sizes.
    expect(p.callCount('RetrievePropertiesEx')).toBe(5);
    expect(res.pages).toBe(Math.ceil(res.objects / PAGE));
    expect(res.inventory.vms).toHaveLength(sim.counts.vms);
    // The simulator does report the status: it is only missing because the path was dropped.
    expect(direct.inventory.vms.some((v) => v.toolsVersionStatus !== null)).toBe(true);
    for (const vm of res.inventory.vms) expect(vm.toolsVersionStatus).toBeNull();
    const strip = (inv: Inventory): Inventory => ({
      ...sorted(inv),
      vms: sorted(inv).vms.map((v) => ({ ...v, toolsVersionStatus: null })),
    });
    expect(strip(res.inventory)).toEqual(strip(direct.inventory));
  });

  it('an InvalidProperty fault in the read of the devices drops that path too, not the devices', async () => {
    // config.firmware is read with the device list (VERSIONED_VM_PATHS), apart from the main read.
    const p = await proxy({ injectInvalidProperty: 'config.firmware' });
    const res = await viaProxy(p);
    expect(res.droppedPaths).toEqual(['VirtualMachine.config.firmware']);
    expect(res.devicesRead).toBe(sim.counts.vms);
    expect(direct.inventory.vms.some((v) => v.firmware !== null)).toBe(true);
    for (const vm of res.inventory.vms) expect(vm.firmware).toBeNull();
    const strip = (inv: Inventory): Inventory => ({
      ...sorted(inv),
      vms: sorted(inv).vms.map((v) => ({ ...v, firmware: null })),
      vmDevices: [],
    });
    expect(strip(res.inventory)).toEqual(strip(direct.inventory));
  });

  it('a missingSet shows in `missing` and leaves those fields null', async () => {
    const p = await proxy({ injectMissingSet: { type: 'HostSystem', path: 'summary.hardware' } });
    const res = await viaProxy(p);
    expect(res.missing).toContainEqual({
      objectType: 'HostSystem',
      path: 'summary.hardware',
      fault: 'NoPermission',
    });
    expect(res.missing.filter((m) => m.path === 'summary.hardware')).toHaveLength(1);
    expect(res.inventory.hosts).toHaveLength(sim.counts.hosts);
    expect(direct.inventory.hosts.every((h) => h.cpuModel !== null)).toBe(true);
    const byMoid = new Map(direct.inventory.hosts.map((h) => [h.moid, h]));
    for (const h of res.inventory.hosts) {
      // Vendor and model are in hardware.systemInfo too, which the account could still read.
      expect(h.vendor).toBe(byMoid.get(h.moid)!.vendor);
      expect(h.model).toBe(byMoid.get(h.moid)!.model);
      expect(h).toMatchObject({
        cpuModel: null,
        numCpuSockets: null,
        numCpuCores: null,
        numCpuThreads: null,
        cpuMhz: null,
        memoryMb: null,
      });
      // Everything not from summary.hardware is still there.
      const before = direct.inventory.hosts.find((d) => d.moid === h.moid);
      expect(h.name).toBe(before?.name);
      expect(h.esxiVersion).toBe(before?.esxiVersion);
    }
    expect(sorted(res.inventory).vms).toEqual(sorted(direct.inventory).vms);
  });
});
