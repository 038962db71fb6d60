/**
 * The RVTools-layout workbook of two synced simulators, downloaded through `POST
 * /api/export/rvtools` and read back with exceljs, judged against an independent pyvmomi reading
 * of the same simulators: VMs, disks, NICs, partitions, hosts, clusters and datastores, in
 * RVTools' units (MiB) and spellings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEngine } from '../../../../testing/engine.js';
import { readWithPyvmomi, type PyInventory } from '../../../../testing/pyvmomi.js';
import { startSimulators, stopAll, type RunningSimulator } from '../../../../testing/vcsim.js';
import type { Engine } from '../../engine.js';
import { startRest } from '../../rest/serve.js';

const USER = 'rv-ro@vsphere.local';
const PASSWORD = 'rv-Secret-7';
const MiB = 1024 * 1024;

let dir: string;
let engine: Engine;
let app: FastifyInstance;
let sims: RunningSimulator[];
const refs: PyInventory[] = [];
const wb = new ExcelJS.Workbook();
let download: { status: number; type: string | null; disposition: string | null };

type Row = Record<string, unknown>;
function sheet(name: string): Row[] {
  const ws = wb.getWorksheet(name)!;
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Row[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const v = row.values as unknown[];
    rows.push(Object.fromEntries(headers.map((h, i) => [h, v[i + 1] ?? null])));
  });
  return rows;
}

beforeAll(async () => {
  sims = await startSimulators(2, (i) => ({
    seed: 61 + i,
    vms: [30, 45][i],
    clusters: [1, 2][i],
    hostsPerCluster: 2,
    namePrefix: ['rva', 'rvb'][i],
    user: USER,
    password: PASSWORD,
  }));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-rv-int-'));
  engine = await openTestEngine(dir);
  for (const [i, s] of sims.entries()) {
    const vc = engine.vcenters.add({
      name: `vc-rv-${i}`,
      url: s.url,
      username: USER,
      thumbprint: s.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, PASSWORD);
    refs.push(await readWithPyvmomi(s.url, USER, PASSWORD));
  }
  const summary = await engine.sync.sync();
  expect(summary.results.every((r) => r.status === 'ok')).toBe(true);
  const rest = await startRest(engine, { host: '127.0.0.1', port: 0, version: 'test', pageWorkers: 0 });
  app = rest.app;
  await rest.auth.addUser('viewer', 'viewer password 1', 'viewer');
  const { access_token } = await rest.auth.login('viewer', 'viewer password 1');
  const res = await fetch(`${rest.url}/api/export/rvtools`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  download = {
    status: res.status,
    type: res.headers.get('content-type'),
    disposition: res.headers.get('content-disposition'),
  };
  await wb.xlsx.load(await res.arrayBuffer());
}, 180_000);

afterAll(async () => {
  await app?.close();
  engine?.close();
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/export/rvtools against synced simulators', () => {
  it('is an .xlsx download of the whole estate', () => {
    expect(download.status).toBe(200);
    expect(download.type).toMatch(/spreadsheetml/);
    expect(download.disposition).toMatch(/filename="vminer-rvtools-\d{4}-\d{2}-\d{2}\.xlsx"/);
    expect(wb.worksheets.map((w) => w.name)).toHaveLength(16);
  });

  it('vInfo: every VM as pyvmomi reads it, in MiB and vSphere spellings', () => {
    const rows = sheet('vInfo');
    expect(rows).toHaveLength(refs.reduce((n, r) => n + r.vms.length, 0));
    // Both simulators use 127.0.0.1: tell them apart by the vCenter's instance UUID.
    const uuids = new Map(engine.vcenters.list().map((v, i) => [v.instanceUuid, refs[i]!]));
    for (const r of rows) {
      const ref = uuids.get(String(r['VI SDK UUID']))!;
      expect(ref, String(r['VI SDK UUID'])).toBeDefined();
      const vm = ref.vms.find((v) => v.name === r['VM'])!;
      const depth = ref.vmDepth.find((v) => v.name === r['VM'])!;
      const disks = ref.disks.filter((d) => d.vm === r['VM']);
      const nics = ref.nics.filter((n) => n.vm === r['VM']);
      expect(
        {
          Powerstate: r['Powerstate'],
          Template: r['Template'],
          CPUs: r['CPUs'],
          Memory: r['Memory'],
          'Primary IP Address': r['Primary IP Address'],
          Host: r['Host'],
          Cluster: r['Cluster'],
          Datacenter: r['Datacenter'],
          'VM UUID': r['VM UUID'],
          Firmware: r['Firmware'],
          Path: r['Path'],
          vApp: r['vApp'],
          NICs: r['NICs'],
          Disks: r['Disks'],
          'Total disk capacity MiB': r['Total disk capacity MiB'],
          'Network #1': r['Network #1'],
          'Creation date': (r['Creation date'] as Date | null)?.toISOString() ?? null,
          owner: r['owner'] ?? null,
        },
        String(r['VM']),
      ).toEqual({
        Powerstate: vm.powerState,
        Template: vm.template ? 'True' : 'False',
        CPUs: vm.numCpu,
        Memory: vm.memoryMb,
        'Primary IP Address': vm.ipAddress,
        Host: vm.host,
        Cluster: vm.cluster,
        Datacenter: vm.datacenter,
        'VM UUID': vm.instanceUuid,
        Firmware: depth.firmware,
        Path: depth.vmPathName,
        vApp: depth.vapp,
        NICs: nics.length,
        Disks: disks.length,
        'Total disk capacity MiB': Math.round(disks.reduce((n, d) => n + (d.capacityBytes ?? 0), 0) / MiB),
        'Network #1': nics[0]?.network ?? null,
        'Creation date': depth.createdAt && new Date(depth.createdAt).toISOString(),
        owner: depth.customValues['owner'] ?? null,
      });
    }
  });

  it('vDisk, vNetwork and vPartition: one row per disk, NIC and partition pyvmomi reads', () => {
    const uuids = new Map(engine.vcenters.list().map((v, i) => [v.instanceUuid, refs[i]!]));
    const disks = sheet('vDisk');
    expect(disks).toHaveLength(refs.reduce((n, r) => n + r.disks.length, 0));
    for (const r of disks) {
      const d = uuids
        .get(String(r['VI SDK UUID']))!
        .disks.find((x) => x.vm === r['VM'] && x.key === r['Disk Key'])!;
      expect(d, `${String(r['VM'])} ${String(r['Disk Key'])}`).toBeDefined();
      expect([r['Capacity MiB'], r['Thin'], r['Eagerly Scrub'], r['Disk Path'], r['Disk Mode']]).toEqual([
        Math.round((d.capacityBytes ?? 0) / MiB),
        d.provisioning === 'thin' ? 'True' : 'False',
        d.provisioning === 'thick eager' ? 'True' : 'False',
        d.fileName,
        d.diskMode,
      ]);
    }
    const nics = sheet('vNetwork');
    expect(nics).toHaveLength(refs.reduce((n, r) => n + r.nics.length, 0));
    for (const r of nics) {
      const n = uuids
        .get(String(r['VI SDK UUID']))!
        .nics.find((x) => x.vm === r['VM'] && x.macAddress === r['Mac Address'])!;
      expect(n, `${String(r['VM'])} ${String(r['Mac Address'])}`).toBeDefined();
      expect([r['Network'], r['Switch'], r['Connected'], r['IPv4 Address']]).toEqual([
        n.network,
        n.switch,
        n.connected ? 'True' : 'False',
        n.ipv4.length ? n.ipv4.join(', ') : null,
      ]);
    }
    const parts = sheet('vPartition');
    expect(parts).toHaveLength(refs.reduce((n, r) => n + r.partitions.length, 0));
    for (const r of parts) {
      const p = uuids
        .get(String(r['VI SDK UUID']))!
        .partitions.find((x) => x.vm === r['VM'] && x.path === r['Disk'])!;
      expect([r['Capacity MiB'], r['Free MiB'], r['Consumed MiB']]).toEqual([
        Math.round(p.capacityBytes / MiB),
        Math.round(p.freeBytes / MiB),
        Math.round((p.capacityBytes - p.freeBytes) / MiB),
      ]);
    }
  });

  it('vHost, vCluster and vDatastore as pyvmomi reads them', () => {
    const uuids = new Map(engine.vcenters.list().map((v, i) => [v.instanceUuid, refs[i]!]));
    for (const r of sheet('vHost')) {
      const ref = uuids.get(String(r['VI SDK UUID']))!;
      const h = ref.hosts.find((x) => x.name === r['Host'])!;
      const d = ref.hostDepth.find((x) => x.name === r['Host'])!;
      expect([
        r['# Cores'],
        r['# Memory'],
        r['# VMs total'],
        r['in Maintenance Mode'],
        r['Serial number'],
        r['BIOS Version'],
        r['# NICs'],
        r['rack-location'],
      ]).toEqual([
        h.numCpuCores,
        h.memoryMb,
        h.vmCount,
        h.inMaintenanceMode ? 'True' : 'False',
        d.serialNumber,
        d.biosVersion,
        d.nics.length,
        d.customValues['rack-location'] ?? null,
      ]);
    }
    for (const r of sheet('vCluster')) {
      const c = uuids.get(String(r['VI SDK UUID']))!.clusters.find((x) => x.name === r['Name'])!;
      expect([r['NumHosts'], r['HA enabled'], r['DRS enabled']]).toEqual([
        c.hostCount,
        c.haEnabled ? 'True' : 'False',
        c.drsEnabled ? 'True' : 'False',
      ]);
    }
    for (const r of sheet('vDatastore')) {
      const d = uuids.get(String(r['VI SDK UUID']))!.datastores.find((x) => x.name === r['Name'])!;
      expect([r['Type'], r['Capacity MiB'], r['Free MiB'], r['# VMs total']]).toEqual([
        d.type,
        Math.round((d.capacityBytes ?? 0) / MiB),
        Math.round((d.freeBytes ?? 0) / MiB),
        d.vmCount,
      ]);
    }
  });

  it('vMetaData: one row per vCenter, written by vMiner', () => {
    const rows = sheet('vMetaData');
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r['RVTools version']).toMatch(/^vMiner /);
  });
});
