/**
 * A host's network configuration as RVTools shows it (vNIC, vSC_VMK, vSwitch) and its hardware
 * identity (vHost), from `config.network.*`, `hardware.systemInfo` and `hardware.biosInfo`.
 */
import type { HostNicRow, HostVmkernelRow, HostVswitchRow } from '../../../shared/inventory.js';
import type { XObject, XValue } from './xml.js';
import { asArray, bool, date, field, joinList, num, obj, str, strs } from './xvalue.js';

export interface HostIdentity {
  serialNumber: string | null;
  serviceTag: string | null;
  uuid: string | null;
  biosVendor: string | null;
  biosVersion: string | null;
  biosDate: string | null;
}

export function hostIdentity(systemInfo: XValue | undefined, biosInfo: XValue | undefined): HostIdentity {
  const sys = obj(systemInfo);
  const bios = obj(biosInfo);
  let serviceTag: string | null = null;
  for (const i of asArray(sys?.['otherIdentifyingInfo'])) {
    if (str(field(obj(i), 'identifierType', 'key')) === 'ServiceTag') {
      serviceTag = str(obj(i)?.['identifierValue'])?.trim() || null;
      break;
    }
  }
  return {
    serialNumber: str(sys?.['serialNumber']),
    serviceTag,
    uuid: str(sys?.['uuid']),
    biosVendor: str(bios?.['vendor']),
    biosVersion: str(bios?.['biosVersion']),
    biosDate: date(bios?.['releaseDate']),
  };
}

function list(v: XValue | undefined): XObject[] {
  return asArray(v)
    .map(obj)
    .filter((x): x is XObject => x !== undefined);
}

/** pnic key (`key-vim.host.PhysicalNic-vmnic0`) → the standard vSwitch using it as an uplink. */
function uplinkOwners(vswitches: XObject[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const sw of vswitches) {
    const name = str(sw['name']);
    if (name) for (const k of strs(sw['pnic'])) owners.set(k, name);
  }
  return owners;
}

export interface HostNetwork {
  nics: HostNicRow[];
  vmkernels: HostVmkernelRow[];
  vswitches: HostVswitchRow[];
  /** Standard port group name → VLAN id, as this host configures it. */
  portgroupVlans: Map<string, string>;
}

export function hostNetwork(
  hostMoid: string,
  pnic: XValue | undefined,
  vnic: XValue | undefined,
  vswitch: XValue | undefined,
  portgroup: XValue | undefined,
  /** pnic device → dvSwitch using it (from the dvSwitches' host members). */
  dvsUplinks?: Map<string, string>,
): HostNetwork {
  const vswitches = list(vswitch);
  const owners = uplinkOwners(vswitches);
  const devByKey = new Map<string, string>();
  const nics: HostNicRow[] = list(pnic).map((p) => {
    const device = str(p['device']) ?? str(p['key']) ?? '';
    const key = str(p['key']);
    if (key) devByKey.set(key, device);
    return {
      hostMoid,
      device,
      driver: str(p['driver']),
      speedMb: num(field(p, 'linkSpeed', 'speedMb')),
      duplex: bool(field(p, 'linkSpeed', 'duplex')),
      mac: str(p['mac']),
      pci: str(p['pci']),
      switch: (key ? owners.get(key) : undefined) ?? dvsUplinks?.get(device) ?? null,
      wakeOnLan: bool(p['wakeOnLanSupported']),
    };
  });
  const vmkernels: HostVmkernelRow[] = list(vnic).map((v) => {
    const ip = obj(field(v, 'spec', 'ip'));
    const v6 = asArray(field(ip, 'ipV6Config', 'ipV6Address'))
      .map((a) => str(obj(a)?.['ipAddress']))
      .filter((a): a is string => a !== null);
    return {
      hostMoid,
      device: str(v['device']) ?? str(v['key']) ?? '',
      portgroup: str(v['portgroup']) ?? str(field(v, 'spec', 'portgroup')),
      mac: str(field(v, 'spec', 'mac')),
      dhcp: bool(ip?.['dhcp']),
      ip: str(ip?.['ipAddress']),
      subnetMask: str(ip?.['subnetMask']),
      ipv6: joinList(v6),
      mtu: num(field(v, 'spec', 'mtu')),
    };
  });
  const switchRows: HostVswitchRow[] = vswitches.map((sw) => {
    const policy = obj(field(sw, 'spec', 'policy'));
    const teaming = obj(policy?.['nicTeaming']);
    const shaping = obj(policy?.['shapingPolicy']);
    const offload = obj(policy?.['offloadPolicy']);
    return {
      hostMoid,
      name: str(sw['name']) ?? '',
      numPorts: num(sw['numPorts']),
      freePorts: num(sw['numPortsAvailable']),
      mtu: num(sw['mtu']),
      uplinks: joinList(strs(sw['pnic']).map((k) => devByKey.get(k) ?? k)),
      allowPromiscuous: bool(field(policy, 'security', 'allowPromiscuous')),
      macChanges: bool(field(policy, 'security', 'macChanges')),
      forgedTransmits: bool(field(policy, 'security', 'forgedTransmits')),
      shaping: bool(shaping?.['enabled']),
      shapingAverage: num(shaping?.['averageBandwidth']),
      shapingPeak: num(shaping?.['peakBandwidth']),
      shapingBurst: num(shaping?.['burstSize']),
      teamingPolicy: str(teaming?.['policy']),
      reversePolicy: bool(teaming?.['reversePolicy']),
      notifySwitches: bool(teaming?.['notifySwitches']),
      rollingOrder: bool(teaming?.['rollingOrder']),
      offload: bool(offload?.['csumOffload']),
      tso: bool(offload?.['tcpSegmentation']),
      zeroCopyXmit: bool(offload?.['zeroCopyXmit']),
    };
  });
  const portgroupVlans = new Map<string, string>();
  for (const pg of list(portgroup)) {
    const name = str(field(pg, 'spec', 'name'));
    const vlan = str(field(pg, 'spec', 'vlanId'));
    if (name && vlan !== null) portgroupVlans.set(name, vlan);
  }
  return { nics, vmkernels, vswitches: switchRows, portgroupVlans };
}
