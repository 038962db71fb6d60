import { describe, expect, it } from 'vitest';
import { ObjectContentBuilder } from './object-content.js';
import { parseObject } from './property-collector.js';
import { MoRef, SoapStreamParser, type XObject, type XValue } from './xml.js';
import { decodeCacheEntry, decodeEntryDevices, encodeCacheEntry, versionedConfigOf } from './device-cache.js';
import {
  datastoreOfPath,
  decodeDevices,
  deviceRowsKey,
  encodeDevices,
  reduceDevices,
  skipDevice,
  vmDevices,
  vmPartitions,
} from './vm-devices.js';

const DEVICES = `
<val xsi:type="ArrayOfVirtualDevice">
  <VirtualDevice xsi:type="VirtualPCIController"><key>100</key><deviceInfo><label>PCI controller 0</label></deviceInfo><busNumber>0</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><deviceInfo><label>SCSI controller 0</label></deviceInfo><busNumber>0</busNumber><sharedBus>noSharing</sharedBus></VirtualDevice>
  <VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>41,943,040 KB</summary></deviceInfo>
    <backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds-01] web/web.vmdk</fileName><datastore type="Datastore">datastore-9</datastore>
      <diskMode>persistent</diskMode><thinProvisioned>false</thinProvisioned><eagerlyScrub>true</eagerlyScrub><uuid>6000C29a</uuid></backing>
    <controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>41943040</capacityInKB><capacityInBytes>42949672960</capacityInBytes>
    <storageIOAllocation><limit>-1</limit><shares><shares>1000</shares><level>normal</level></shares><reservation>0</reservation></storageIOAllocation></VirtualDevice>
  <VirtualDevice xsi:type="VirtualDisk"><key>2001</key><deviceInfo><label>Hard disk 2</label></deviceInfo>
    <backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds-02] web/web_1.vmdk</fileName><thinProvisioned>true</thinProvisioned></backing>
    <controllerKey>1000</controllerKey><unitNumber>1</unitNumber><capacityInKB>1048576</capacityInKB></VirtualDevice>
  <VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label></deviceInfo>
    <backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port><switchUuid>50 2a</switchUuid><portgroupKey>dvportgroup-21</portgroupKey></port></backing>
    <connectable><startConnected>true</startConnected><connected>true</connected><allowGuestControl>true</allowGuestControl></connectable>
    <addressType>assigned</addressType><macAddress>00:50:56:AA:BB:01</macAddress></VirtualDevice>
  <VirtualDevice xsi:type="VirtualCdrom"><key>3000</key><deviceInfo><label>CD/DVD drive 1</label></deviceInfo></VirtualDevice>
  <VirtualDevice xsi:type="VirtualMachineVideoCard"><key>500</key><videoRamSizeInKB>8192</videoRamSizeInKB><numDisplays>2</numDisplays></VirtualDevice>
</val>`;

const GUEST_NET = `
<val xsi:type="ArrayOfGuestNicInfo">
  <GuestNicInfo><network>Prod</network><ipAddress>10.0.0.5</ipAddress><ipAddress>fe80::1</ipAddress><macAddress>00:50:56:aa:bb:01</macAddress><connected>true</connected></GuestNicInfo>
</val>`;

/**
 * An ObjectContent answer with the given propSets, parsed the way a retrieval parses it: by the
 * builder (with `skip`: leaving some array items unbuilt), or as nodes (`parseObject`, the reference).
 */
function object(
  props: Record<string, string>,
  skip?: (property: string, xsiType: string | undefined) => boolean,
): ReturnType<typeof parseObject> {
  const xml =
    `<Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Body><R><returnval><objects><obj type="VirtualMachine">vm-7</obj>` +
    Object.entries(props)
      .map(([name, val]) => `<propSet><name>${name}</name>${val}</propSet>`)
      .join('') +
    `</objects></returnval></R></Body></Envelope>`;
  let out: ReturnType<typeof parseObject> | undefined;
  const p = new SoapStreamParser({
    emitName: 'objects',
    emitDepth: 5,
    ...(skip
      ? { builder: new ObjectContentBuilder(new Map(), (o) => (out = o), skip) }
      : { onEmit: (n) => (out = parseObject(n, new Map())) }),
  });
  p.write(xml);
  p.end();
  return out!;
}

const names = {
  name: (key: string) => (key === 'Datastore:datastore-9' ? 'ds-01' : null),
  portgroup: (k: string) => (k === 'dvportgroup-21' ? { name: 'VLAN-21-Web', switch: 'dvs-01' } : undefined),
};

describe('VM devices', () => {
  it('turns the device list into disk and NIC rows with controllers, provisioning and the guest IPs per MAC', () => {
    const o = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const d = vmDevices(
      'vm-7',
      'web',
      reduceDevices(o.props.get('config.hardware.device')!),
      o.props.get('guest.net'),
      names,
    );
    expect(d.disks).toEqual([
      expect.objectContaining({
        moid: 'vm-7/2000',
        name: 'Hard disk 1',
        capacityBytes: 42949672960,
        provisioning: 'thick eager',
        thin: false,
        eagerlyScrub: true,
        datastore: 'ds-01',
        fileName: '[ds-01] web/web.vmdk',
        controller: 'SCSI controller 0',
        controllerType: 'pvscsi',
        busNumber: 0,
        unitNumber: 0,
        diskMode: 'persistent',
        uuid: '6000C29a',
        sharesLevel: 'normal',
        shares: 1000,
        limit: -1,
      }),
      // No datastore reference: the name comes from the file path; no capacityInBytes: KB × 1024.
      expect.objectContaining({
        moid: 'vm-7/2001',
        provisioning: 'thin',
        datastore: 'ds-02',
        capacityBytes: 1073741824,
      }),
    ]);
    expect(d.nics).toEqual([
      {
        moid: 'vm-7/4000',
        vmMoid: 'vm-7',
        vm: 'web',
        name: 'Network adapter 1',
        deviceKey: 4000,
        adapterType: 'vmxnet3',
        network: 'VLAN-21-Web',
        switch: 'dvs-01',
        macAddress: '00:50:56:AA:BB:01',
        addressType: 'assigned',
        connected: true,
        startConnected: true,
        ipv4: '10.0.0.5',
        ipv6: 'fe80::1',
      },
    ]);
    expect(d).toMatchObject({
      diskCount: 2,
      nicCount: 1,
      diskCapacityBytes: 42949672960 + 1073741824,
      numMonitors: 2,
      videoRamKb: 8192,
    });
  });

  it('a retrieval leaves the devices vMiner does not keep unbuilt, and the rows come out the same', () => {
    let skipped = 0;
    const skip = (property: string, xsiType: string | undefined): boolean => {
      const r = skipDevice(property, xsiType);
      if (r) skipped++;
      return r;
    };
    const full = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const lean = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET }, skip);
    expect(skipped).toBe(2); // the PCI controller and the CD-ROM
    const types = (o: typeof full) =>
      (o.props.get('config.hardware.device') as { _type: string }[]).map((d) => d._type);
    expect(types(lean)).toEqual([
      'ParaVirtualSCSIController',
      'VirtualDisk',
      'VirtualDisk',
      'VirtualVmxnet3',
      'VirtualMachineVideoCard',
    ]);
    const rows = (o: typeof full) =>
      vmDevices(
        'vm-7',
        'web',
        reduceDevices(o.props.get('config.hardware.device')!),
        o.props.get('guest.net'),
        names,
      );
    expect(rows(lean)).toEqual(rows(full));
    // Other properties are never skipped.
    expect(lean.props.get('guest.net')).toEqual(full.props.get('guest.net'));
  });

  it('a reduced device list survives the device cache: encoded, decoded, the same rows', () => {
    const o = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const reduced = reduceDevices(o.props.get('config.hardware.device')!);
    const back = decodeDevices(encodeDevices(reduced));
    expect(back).toEqual(reduced);
    // The references are references again (the rows name their datastore and network through them).
    expect(vmDevices('vm-7', 'web', back, o.props.get('guest.net'), names)).toEqual(
      vmDevices('vm-7', 'web', reduced, o.props.get('guest.net'), names),
    );
    expect(vmDevices('vm-7', 'web', back, o.props.get('guest.net'), names).disks[0]!.datastore).toBe('ds-01');
  });

  it('a cache entry carries the device list and the configuration read with it; other texts are no entry', () => {
    const o = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const reduced = reduceDevices(o.props.get('config.hardware.device')!);
    const props = new Map<string, XValue>([
      ['name', 'web'],
      ['config.firmware', 'efi'],
      ['config.cpuAllocation', { reservation: '500', shares: { shares: '2000', level: 'normal' } }],
    ]);
    const config = versionedConfigOf(props);
    // Only the paths read with the devices (name is read every time).
    expect(config).toEqual({
      'config.firmware': 'efi',
      'config.cpuAllocation': { reservation: '500', shares: { shares: '2000', level: 'normal' } },
    });
    const refs = new Map<string, Map<string, MoRef>>();
    const built = vmDevices('vm-7', 'web', reduced, o.props.get('guest.net'), names);
    const rows = {
      key: deviceRowsKey(built.lookups, 'web', o.props.get('guest.net'), names),
      lookups: built.lookups,
      summary: {
        diskCount: built.diskCount,
        nicCount: built.nicCount,
        diskCapacityBytes: built.diskCapacityBytes,
        numMonitors: built.numMonitors,
        videoRamKb: built.videoRamKb,
      },
    };
    const json = encodeCacheEntry(reduced, config, rows);
    const back = decodeCacheEntry(json)!;
    // The head is read without the device list, which stays JSON until it is needed.
    expect(back.head).toEqual({ config, rows });
    expect(json.startsWith(`${back.headJson}\n`)).toBe(true);
    expect(JSON.parse(back.devicesJson)).toEqual(JSON.parse(encodeDevices(reduced)));
    const devices = decodeEntryDevices(back, refs);
    expect(devices).toEqual(reduced);
    expect(vmDevices('vm-7', 'web', devices, o.props.get('guest.net'), names).disks[0]!.datastore).toBe(
      'ds-01',
    );
    // One MoRef per datastore across the entries of a sync.
    const again = decodeEntryDevices(decodeCacheEntry(json)!, refs);
    const ds = (e: XValue | undefined) =>
      (e as { backing?: { datastore?: unknown } }[])[1]!.backing!.datastore;
    expect(ds(again)).toBeInstanceOf(MoRef);
    expect(ds(again)).toBe(ds(devices));
    // The format before the head (one JSON object): read whole, without a rows' key (rewritten).
    const whole = decodeCacheEntry(
      `{"devices":${encodeDevices(reduced)},"config":${JSON.stringify(config)}}`,
    )!;
    expect(whole.head).toEqual({ config });
    expect(decodeEntryDevices(whole)).toEqual(reduced);
    // The format before that (a device list alone), a broken text, a wrong shape: read again instead.
    expect(decodeCacheEntry(encodeDevices(reduced))).toBeUndefined();
    expect(decodeCacheEntry('{"devices":[')).toBeUndefined();
    expect(decodeCacheEntry('{"devices":{},"config":{}}')).toBeUndefined();
    expect(decodeCacheEntry('{"devices":[],"config":null}')).toBeUndefined();
    expect(decodeCacheEntry('{"config":{}}\n{}')).toBeUndefined();
    expect(decodeCacheEntry('{"config":{},"rows":{"key":1}}\n[]')).toBeUndefined();
    expect(decodeCacheEntry('{"config":{\n[]')).toBeUndefined();
  });

  it("the rows' key moves with every input of the disk and NIC rows besides the device list", () => {
    const o = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const reduced = reduceDevices(o.props.get('config.hardware.device')!);
    const net = o.props.get('guest.net');
    const built = vmDevices('vm-7', 'web', reduced, net, names);
    // What the rows looked up: the disks' datastores, the NICs' port group and network, their MACs.
    expect(built.lookups.refs).toContain('Datastore:datastore-9');
    expect(built.lookups.portgroups).toEqual(['dvportgroup-21']);
    expect(built.lookups.macs.length).toBe(built.nics.length);
    const key = deviceRowsKey(built.lookups, 'web', net, names);
    expect(deviceRowsKey(built.lookups, 'web', net, { ...names })).toBe(key);
    // The VM renamed (rows carry its name), a datastore renamed, a port group renamed or moved to
    // another switch, the guest's IPs changed: another key.
    expect(deviceRowsKey(built.lookups, 'web-2', net, names)).not.toBe(key);
    const renamedDs = { ...names, name: (k: string) => (k === 'Datastore:datastore-9' ? 'ds-02' : null) };
    expect(deviceRowsKey(built.lookups, 'web', net, renamedDs)).not.toBe(key);
    const otherSwitch = { ...names, portgroup: () => ({ name: 'VLAN-21-Web', switch: 'dvs-02' }) };
    expect(deviceRowsKey(built.lookups, 'web', net, otherSwitch)).not.toBe(key);
    const ips = (net as XObject[]).map((n) => ({ ...n, ipAddress: ['10.9.9.9'] }));
    expect(deviceRowsKey(built.lookups, 'web', ips, names)).not.toBe(key);
    // Equal keys give equal rows (what lets a sync keep the stored ones).
    expect(vmDevices('vm-7', 'web', reduced, ips, names).nics).not.toEqual(built.nics);
  });

  it("the rows' format is pinned: a changed disk or NIC row needs ROWS_FORMAT bumped", () => {
    // Stored rows are kept while their key stays (deviceRowsKey), and the key knows only the
    // inputs, not the mapping: when vmDevices gives other columns or values, ROWS_FORMAT must move
    // too, or caches keep the rows of before. Update these lists together with ROWS_FORMAT.
    const o = object({ 'config.hardware.device': DEVICES, 'guest.net': GUEST_NET });
    const d = vmDevices(
      'vm-7',
      'web',
      reduceDevices(o.props.get('config.hardware.device')!),
      o.props.get('guest.net'),
      names,
    );
    expect(JSON.parse(deviceRowsKey(d.lookups, 'web', undefined, names))[0]).toBe(1);
    expect(Object.keys(d.disks[0]!).sort().join()).toBe(
      'busNumber,capacityBytes,controller,controllerType,datastore,deviceKey,diskMode,eagerlyScrub,fileName,limit,moid,name,provisioning,raw,reservation,shares,sharesLevel,sharing,split,thin,unitNumber,uuid,vm,vmMoid,writeThrough',
    );
    expect(Object.keys(d.nics[0]!).sort().join()).toBe(
      'adapterType,addressType,connected,deviceKey,ipv4,ipv6,macAddress,moid,name,network,startConnected,switch,vm,vmMoid',
    );
  });

  it('names the datastore of a path and reads the guest partitions with free and used shares', () => {
    expect(datastoreOfPath('[nfs vol 1] a/b.vmdk')).toBe('nfs vol 1');
    expect(datastoreOfPath('a/b.vmdk')).toBeNull();
    const o = object({
      'guest.disk':
        '<val xsi:type="ArrayOfGuestDiskInfo"><GuestDiskInfo><diskPath>C:\\</diskPath><capacity>1000</capacity><freeSpace>75</freeSpace></GuestDiskInfo>' +
        '<GuestDiskInfo><diskPath>C:\\</diskPath><capacity>1</capacity><freeSpace>1</freeSpace></GuestDiskInfo></val>',
    });
    expect(vmPartitions('vm-7', 'web', o.props.get('guest.disk'))).toEqual([
      {
        moid: 'vm-7/C:\\',
        vmMoid: 'vm-7',
        vm: 'web',
        name: 'C:\\',
        capacityBytes: 1000,
        freeBytes: 75,
        freePercent: 7.5,
        usedPercent: 92.5,
        diskKey: null,
      },
    ]);
  });
});
