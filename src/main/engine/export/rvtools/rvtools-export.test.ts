/**
 * The RVTools-layout workbook of a generated estate, read back with exceljs: the sheets in RVTools'
 * order, RVTools' headers in RVTools' order (checked against the lists public RVTools readers use),
 * RVTools' units and spellings, "VI SDK Server" / "VI SDK UUID" on every row, and the columns
 * vMiner does not read present and empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../db/database.js';
import { populateCache } from '../../../../testing/generate-inventory.js';
import { exportRvtools, rvtoolsSheets } from './rvtools-export.js';

let dir: string;
let db: OpenedDatabase;
let file: string;
const wb = new ExcelJS.Workbook();
let result: Awaited<ReturnType<typeof exportRvtools>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-rvtools-'));
  db = openDatabase(path.join(dir, 'data'));
  populateCache(db, { vcenters: 2, vmsTotal: 400, hostsTotal: 12, datastoresTotal: 6, seed: 5 });
  file = path.join(dir, 'estate.xlsx');
  result = await exportRvtools({ sqlite: db.sqlite, out: file, now: new Date('2026-12-01T10:00:00Z') });
  await wb.xlsx.readFile(file);
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A sheet as header → values rows. */
function sheet(name: string): { headers: string[]; rows: Record<string, unknown>[] } {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const v = row.values as unknown[];
    rows.push(Object.fromEntries(headers.map((h, i) => [h, v[i + 1] ?? null])));
  });
  return { headers, rows };
}

const q = <T = Record<string, unknown>>(sql: string, ...p: unknown[]): T[] =>
  db.sqlite.prepare(sql).all(...p) as T[];

/**
 * RVTools 4.x headers as public tools that read RVTools exports list them (for example the
 * header maps of RVTools mergers and the kubev2v migration planner's ingest; see
 * docs/rvtools-columns.md), without the custom attribute columns of the estates they came from.
 */
const VINFO = [
  'VM',
  'Powerstate',
  'Template',
  'SRM Placeholder',
  'Config status',
  'DNS Name',
  'Connection state',
  'Guest state',
  'Heartbeat',
  'Consolidation Needed',
  'PowerOn',
  'Suspended To Memory',
  'Suspend time',
  'Suspend Interval',
  'Creation date',
  'Change Version',
  'CPUs',
  'Overall Cpu Readiness',
  'Memory',
  'Active Memory',
  'NICs',
  'Disks',
  'Total disk capacity MiB',
  'Fixed Passthru HotPlug',
  'min Required EVC Mode Key',
  'Latency Sensitivity',
  'Op Notification Timeout',
  'EnableUUID',
  'CBT',
  'Primary IP Address',
  'Network #1',
  'Network #2',
  'Network #3',
  'Network #4',
  'Network #5',
  'Network #6',
  'Network #7',
  'Network #8',
  'Num Monitors',
  'Video Ram KiB',
  'Resource pool',
  'Folder ID',
  'Folder',
  'vApp',
  'DAS protection',
  'FT State',
  'FT Role',
  'FT Latency',
  'FT Bandwidth',
  'FT Sec. Latency',
  'Vm Failover In Progress',
  'Provisioned MiB',
  'In Use MiB',
  'Unshared MiB',
  'HA Restart Priority',
  'HA Isolation Response',
  'HA VM Monitoring',
  'Cluster rule(s)',
  'Cluster rule name(s)',
  'Boot Required',
  'Boot delay',
  'Boot retry delay',
  'Boot retry enabled',
  'Boot BIOS setup',
  'Reboot PowerOff',
  'EFI Secure boot',
  'Firmware',
  'HW version',
  'HW upgrade status',
  'HW upgrade policy',
  'HW target',
  'Path',
  'Log directory',
  'Snapshot directory',
  'Suspend directory',
  'Annotation',
  '*',
  'Datacenter',
  'Cluster',
  'Host',
  'OS according to the configuration file',
  'OS according to the VMware Tools',
  'Customization Info',
  'Guest Detailed Data',
  'VM ID',
  'SMBIOS UUID',
  'VM UUID',
  'VI SDK Server type',
  'VI SDK API Version',
  'VI SDK Server',
  'VI SDK UUID',
];
const VM_TAIL = [
  'Annotation',
  '*',
  'Datacenter',
  'Cluster',
  'Host',
  'Folder',
  'OS according to the configuration file',
  'OS according to the VMware Tools',
  'VM ID',
  'VM UUID',
  'VI SDK Server',
  'VI SDK UUID',
];
const LEAD = ['VM', 'Powerstate', 'Template', 'SRM Placeholder'];
const EXPECTED: Record<string, string[]> = {
  vInfo: VINFO,
  vCPU: [
    ...LEAD,
    'CPUs',
    'Sockets',
    'Cores p/s',
    'Max',
    'Overall',
    'Level',
    'Shares',
    'Reservation',
    'Entitlement',
    'DRS Entitlement',
    'Limit',
    'Hot Add',
    'Hot Remove',
    'Numa Hotadd Exposed',
    ...VM_TAIL,
  ],
  vMemory: [
    ...LEAD,
    'Size MiB',
    'Memory Reservation Locked To Max',
    'Overhead',
    'Max',
    'Consumed',
    'Consumed Overhead',
    'Private',
    'Shared',
    'Swapped',
    'Ballooned',
    'Active',
    'Entitlement',
    'DRS Entitlement',
    'Level',
    'Shares',
    'Reservation',
    'Limit',
    'Hot Add',
    ...VM_TAIL,
  ],
  vDisk: [
    ...LEAD,
    'Disk',
    'Disk Key',
    'Disk UUID',
    'Disk Path',
    'Capacity MiB',
    'Raw',
    'Disk Mode',
    'Sharing mode',
    'Thin',
    'Eagerly Scrub',
    'Split',
    'Write Through',
    'Level',
    'Shares',
    'Reservation',
    'Limit',
    'Controller',
    'Label',
    'SCSI Unit #',
    'Unit #',
    'Shared Bus',
    'Path',
    'Raw LUN ID',
    'Raw Comp. Mode',
    'Internal Sort Column',
    ...VM_TAIL,
  ],
  vPartition: [
    ...LEAD,
    'Disk Key',
    'Disk',
    'Capacity MiB',
    'Consumed MiB',
    'Free MiB',
    'Free %',
    'Internal Sort Column',
    ...VM_TAIL,
  ],
  vNetwork: [
    ...LEAD,
    'NIC label',
    'Adapter',
    'Network',
    'Switch',
    'Connected',
    'Starts Connected',
    'Mac Address',
    'Type',
    'IPv4 Address',
    'IPv6 Address',
    'Direct Path IO',
    'Internal Sort Column',
    ...VM_TAIL,
  ],
  vSnapshot: [
    'VM',
    'Powerstate',
    'Name',
    'Description',
    'Date / time',
    'Filename',
    'Size MiB (vmsn)',
    'Size MiB (total)',
    'Quiesced',
    'State',
    ...VM_TAIL,
  ],
  vTools: [
    ...LEAD,
    'VM Version',
    'Tools',
    'Tools Version',
    'Required Version',
    'Upgradeable',
    'Upgrade Policy',
    'Sync time',
    'App status',
    'Heartbeat status',
    'Kernel Crash state',
    'Operation Ready',
    'State change support',
    'Interactive Guest',
    'Annotation',
    '*',
    'Datacenter',
    'Cluster',
    'Host',
    'Folder',
    'OS according to the configuration file',
    'OS according to the VMware Tools',
    'VMRef',
    'VM ID',
    'VM UUID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vCluster: [
    'Name',
    'Config status',
    'OverallStatus',
    'NumHosts',
    'numEffectiveHosts',
    'TotalCpu',
    'NumCpuCores',
    'NumCpuThreads',
    'Effective Cpu',
    'TotalMemory',
    'Effective Memory',
    'Num VMotions',
    'HA enabled',
    'Failover Level',
    'AdmissionControlEnabled',
    'Host monitoring',
    'HB Datastore Candidate Policy',
    'Isolation Response',
    'Restart Priority',
    'Cluster Settings',
    'Max Failures',
    'Max Failure Window',
    'Failure Interval',
    'Min Up Time',
    'VM Monitoring',
    'DRS enabled',
    'DRS default VM behavior',
    'DRS vmotion rate',
    'DPM enabled',
    'DPM default behavior',
    'DPM Host Power Action Rate',
    'Object ID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vHost: [
    'Host',
    'Datacenter',
    'Cluster',
    'Config status',
    'Compliance Check State',
    'in Maintenance Mode',
    'in Quarantine Mode',
    'vSAN Fault Domain Name',
    'CPU Model',
    'Speed',
    'HT Available',
    'HT Active',
    '# CPU',
    'Cores per CPU',
    '# Cores',
    'CPU usage %',
    '# Memory',
    'Memory Tiering Type',
    'Memory usage %',
    'Console',
    '# NICs',
    '# HBAs',
    '# VMs total',
    '# VMs',
    'VMs per Core',
    '# vCPUs',
    'vCPUs per Core',
    'vRAM',
    'VM Used memory',
    'VM Memory Swapped',
    'VM Memory Ballooned',
    'VMotion support',
    'Storage VMotion support',
    'Current EVC',
    'Max EVC',
    'Assigned License(s)',
    'ATS Heartbeat',
    'ATS Locking',
    'Current CPU power man. policy',
    'Supported CPU power man.',
    'Host Power Policy',
    'ESX Version',
    'Boot time',
    'DNS Servers',
    'DHCP',
    'Domain',
    'Domain List',
    'DNS Search Order',
    'NTP Server(s)',
    'NTPD running',
    'Time Zone',
    'Time Zone Name',
    'GMT Offset',
    'Vendor',
    'Model',
    'Serial number',
    'Service tag',
    'OEM specific string',
    'BIOS Vendor',
    'BIOS Version',
    'BIOS Date',
    'Certificate Issuer',
    'Certificate Start Date',
    'Certificate Expiry Date',
    'Certificate Status',
    'Certificate Subject',
    'Object ID',
    '*',
    'UUID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vNIC: [
    'Host',
    'Datacenter',
    'Cluster',
    'Network Device',
    'Driver',
    'Speed',
    'Duplex',
    'MAC',
    'Switch',
    'Uplink port',
    'PCI',
    'WakeOn',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vSwitch: [
    'Host',
    'Datacenter',
    'Cluster',
    'Switch',
    '# Ports',
    'Free Ports',
    'Promiscuous Mode',
    'Mac Changes',
    'Forged Transmits',
    'Traffic Shaping',
    'Width',
    'Peak',
    'Burst',
    'Policy',
    'Reverse Policy',
    'Notify Switch',
    'Rolling Order',
    'Offload',
    'TSO',
    'Zero Copy Xmit',
    'MTU',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  dvSwitch: [
    'Switch',
    'Datacenter',
    'Name',
    'Vendor',
    'Version',
    'Description',
    'Created',
    'Host members',
    'Max Ports',
    '# Ports',
    '# VMs',
    'In Traffic Shaping',
    'In Avg',
    'In Peak',
    'In Burst',
    'Out Traffic Shaping',
    'Out Avg',
    'Out Peak',
    'Out Burst',
    'CDP Type',
    'CDP Operation',
    'LACP Name',
    'LACP Mode',
    'LACP Load Balance Alg.',
    'Max MTU',
    'Contact',
    'Admin Name',
    'Object ID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  dvPort: [
    'Port',
    'Switch',
    'Type',
    '# Ports',
    'VLAN',
    'Speed',
    'Full Duplex',
    'Blocked',
    'Allow Promiscuous',
    'Mac Changes',
    'Active Uplink',
    'Standby Uplink',
    'Policy',
    'Forged Transmits',
    'In Traffic Shaping',
    'In Avg',
    'In Peak',
    'In Burst',
    'Out Traffic Shaping',
    'Out Avg',
    'Out Peak',
    'Out Burst',
    'Reverse Policy',
    'Notify Switch',
    'Rolling Order',
    'Check Beacon',
    'Live Port Moving',
    'Check Duplex',
    'Check Error %',
    'Check Speed',
    'Percentage',
    'Block Override',
    'Config Reset',
    'Shaping Override',
    'Vendor Config Override',
    'Sec. Policy Override',
    'Teaming Override',
    'Vlan Override',
    'Object ID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vDatastore: [
    'Name',
    'Config status',
    'Address',
    'Accessible',
    'Type',
    '# VMs total',
    '# VMs',
    'Capacity MiB',
    'Provisioned MiB',
    'In Use MiB',
    'Free MiB',
    'Free %',
    'SIOC enabled',
    'SIOC Threshold',
    '# Hosts',
    'Hosts',
    'Cluster name',
    'Cluster capacity MiB',
    'Cluster free space MiB',
    'Block size',
    'Max Blocks',
    '# Extents',
    'Major Version',
    'Version',
    'VMFS Upgradeable',
    'MHA',
    'URL',
    'Object ID',
    'VI SDK Server',
    'VI SDK UUID',
  ],
  vMetaData: ['RVTools major version', 'RVTools version', 'xlsx creation datetime', 'Server'],
};

describe('the RVTools-layout workbook', () => {
  it("has RVTools' sheets in RVTools' order", () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'vInfo',
      'vCPU',
      'vMemory',
      'vDisk',
      'vPartition',
      'vNetwork',
      'vSnapshot',
      'vTools',
      'vCluster',
      'vHost',
      'vNIC',
      'vSwitch',
      'dvSwitch',
      'dvPort',
      'vDatastore',
      'vMetaData',
    ]);
  });

  it("has RVTools' headers in RVTools' order, custom attributes as columns after Annotation", () => {
    const vmAttrs = q<{ name: string }>('SELECT DISTINCT name FROM vm_custom_values ORDER BY name').map(
      (r) => r.name,
    );
    const hostAttrs = q<{ name: string }>('SELECT DISTINCT name FROM host_custom_values ORDER BY name').map(
      (r) => r.name,
    );
    expect(vmAttrs).toEqual(['cost-center', 'owner']);
    for (const [name, want] of Object.entries(EXPECTED)) {
      const attrs = name === 'vHost' ? hostAttrs : vmAttrs;
      const expected = want.flatMap((h) => (h === '*' ? attrs : [h]));
      expect(sheet(name).headers, name).toEqual(expected);
    }
    // The definitions the documentation is written from are the ones the workbook uses.
    for (const s of rvtoolsSheets(vmAttrs, hostAttrs))
      expect(sheet(s.name).headers).toEqual(s.columns.map((c) => c.header));
  });

  it('has the columns the kubev2v migration planner reads from an RVTools export', () => {
    const needs: Record<string, string[]> = {
      vInfo: [
        'VM ID',
        'VM',
        'Folder',
        'Host',
        'VM UUID',
        'Firmware',
        'Powerstate',
        'Connection state',
        'FT State',
        'CPUs',
        'Memory',
        'OS according to the configuration file',
        'OS according to the VMware Tools',
        'DNS Name',
        'Primary IP Address',
        'In Use MiB',
        'Template',
        'CBT',
        'EnableUUID',
        'Datacenter',
        'Cluster',
        'HW version',
        'Total disk capacity MiB',
        'Provisioned MiB',
        'Resource pool',
        'VI SDK UUID',
        'Network #1',
      ],
      vCPU: ['VM ID', 'Hot Add', 'Hot Remove', 'Sockets', 'Cores p/s'],
      vMemory: ['VM ID', 'Hot Add', 'Ballooned'],
      vDisk: [
        'VM ID',
        'Disk Key',
        'Unit #',
        'Path',
        'Disk Path',
        'Capacity MiB',
        'Sharing mode',
        'Raw',
        'Shared Bus',
        'Disk Mode',
        'Disk UUID',
        'Thin',
        'Controller',
        'Label',
        'SCSI Unit #',
      ],
      vDatastore: ['Hosts', 'Address', 'Name', 'Free MiB', 'MHA', 'Capacity MiB', 'Type'],
      vHost: ['Cluster', '# Cores', '# CPU', 'Object ID', '# Memory', 'Model', 'Vendor', 'Host'],
      vNetwork: [
        'VM ID',
        'Network',
        'Mac Address',
        'NIC label',
        'Adapter',
        'Switch',
        'Connected',
        'Starts Connected',
        'Type',
        'IPv4 Address',
        'IPv6 Address',
        'Cluster',
      ],
      dvPort: ['Port', 'VLAN'],
    };
    for (const [name, cols] of Object.entries(needs))
      expect(sheet(name).headers, name).toEqual(expect.arrayContaining(cols));
  });

  it('writes every row of the cache, with VI SDK Server and UUID on each row of every data sheet', () => {
    const counts: Record<string, number> = {
      vInfo: q<{ n: number }>('SELECT count(*) n FROM vms')[0]!.n,
      vDisk: q<{ n: number }>('SELECT count(*) n FROM vm_disks')[0]!.n,
      vNetwork: q<{ n: number }>('SELECT count(*) n FROM vm_nics')[0]!.n,
      vPartition: q<{ n: number }>('SELECT count(*) n FROM vm_partitions')[0]!.n,
      vSnapshot: q<{ n: number }>('SELECT count(*) n FROM snapshots')[0]!.n,
      vHost: q<{ n: number }>('SELECT count(*) n FROM hosts')[0]!.n,
      vNIC: q<{ n: number }>('SELECT count(*) n FROM host_nics')[0]!.n,
      dvPort: q<{ n: number }>(
        "SELECT count(*) n FROM networks WHERE type = 'DistributedVirtualPortgroup'",
      )[0]!.n,
      vMetaData: 2,
    };
    expect(counts['vInfo']).toBe(400);
    for (const [name, n] of Object.entries(counts)) {
      expect(sheet(name).rows, name).toHaveLength(n);
      expect(result.tables[name], name).toBe(n);
    }
    const uuids = new Map(
      q<{ h: string; u: string }>('SELECT url h, instance_uuid u FROM vcenters').map((r) => [
        new URL(r.h).hostname,
        r.u,
      ]),
    );
    for (const ws of wb.worksheets) {
      if (ws.name === 'vMetaData') continue;
      for (const r of sheet(ws.name).rows) {
        expect(
          uuids.get(String(r['VI SDK Server'])),
          `${ws.name}: ${JSON.stringify(r['VI SDK Server'])}`,
        ).toBe(r['VI SDK UUID']);
      }
    }
  });

  it("uses RVTools' units and value spellings", () => {
    // A moid is unique within its vCenter only.
    const vms = new Map(
      q<Record<string, unknown>>(
        'SELECT v.*, c.instance_uuid AS vc FROM vms v JOIN vcenters c ON c.id = v.vcenter_id',
      ).map((v) => [`${String(v['vc'])}/${String(v['moid'])}`, v]),
    );
    const MiB = 1024 * 1024;
    for (const r of sheet('vInfo').rows) {
      const v = vms.get(`${String(r['VI SDK UUID'])}/${String(r['VM ID'])}`)!;
      expect(r['Powerstate']).toBe(v['power_state']);
      expect(['poweredOn', 'poweredOff', 'suspended']).toContain(r['Powerstate']);
      expect(r['Template']).toBe(v['template'] ? 'True' : 'False');
      expect(r['Memory']).toBe(v['memory_mb']);
      expect(r['Provisioned MiB']).toBe(Math.round((v['provisioned_bytes'] as number) / MiB));
      expect(r['In Use MiB']).toBe(Math.round((v['used_bytes'] as number) / MiB));
      expect(r['Total disk capacity MiB']).toBe(Math.round((v['disk_capacity_bytes'] as number) / MiB));
      expect(r['Disks']).toBe(v['disk_count']);
      expect(r['Firmware']).toBe(v['firmware']);
      expect(
        r['Creation date'] instanceof Date ? (r['Creation date'] as Date).toISOString() : r['Creation date'],
      ).toBe(v['created_at']);
    }
    const disks = new Map(
      q<Record<string, unknown>>(
        'SELECT d.*, c.instance_uuid AS vc FROM vm_disks d JOIN vcenters c ON c.id = d.vcenter_id',
      ).map((d) => [`${String(d['vc'])}/${String(d['vm_moid'])}/${String(d['device_key'])}`, d]),
    );
    for (const r of sheet('vDisk').rows) {
      const d = disks.get(`${String(r['VI SDK UUID'])}/${String(r['VM ID'])}/${String(r['Disk Key'])}`)!;
      expect(r['Capacity MiB']).toBe(Math.round((d['capacity_bytes'] as number) / MiB));
      expect(r['Thin']).toBe(d['thin'] ? 'True' : 'False');
      expect(r['Disk Path']).toBe(d['file_name']);
    }
    expect(sheet('vNetwork').rows.map((r) => r['Adapter'])).toEqual(expect.arrayContaining(['Vmxnet3']));
    const meta = sheet('vMetaData').rows[0]!;
    expect(meta['RVTools major version']).toBe(4);
    expect(meta['RVTools version']).toMatch(/^vMiner \d/);
    expect((meta['xlsx creation datetime'] as Date).toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });

  it('leaves the columns vMiner does not read present and empty in every row', () => {
    for (const s of rvtoolsSheets(['cost-center', 'owner'], ['rack-location'])) {
      const emptyCols = s.columns.filter((c) => !c.get).map((c) => c.header);
      for (const r of sheet(s.name).rows)
        for (const h of emptyCols) expect(r[h], `${s.name}.${h}`).toBeNull();
    }
    expect(sheet('vInfo').headers).toContain('Overall Cpu Readiness');
  });
});
