/**
 * The RVTools-depth fields of clusters (HA, DRS, EVC, vSAN), datastores (version, extents, NFS
 * address, multiple-host access), distributed port groups (switch, uplinks, policies) and
 * dvSwitches, read from property values the collector already fetched.
 */
import type { DvSwitchRow } from '../../../shared/inventory.js';
import type { XObject, XValue } from './xml.js';
import { asArray, bool, date, field, joinList, num, obj, str, strs } from './xvalue.js';

export function clusterDepth(conf: XObject | undefined, evc: XValue | undefined) {
  const das = obj(conf?.['dasConfig']);
  const drs = obj(conf?.['drsConfig']);
  const vm = obj(das?.['defaultVmSettings']);
  return {
    haAdmissionControl: bool(das?.['admissionControlEnabled']),
    haFailoverLevel: num(das?.['failoverLevel']),
    haHostMonitoring: str(das?.['hostMonitoring']),
    haVmMonitoring: str(das?.['vmMonitoring']),
    haRestartPriority: str(vm?.['restartPriority']),
    haIsolationResponse: str(vm?.['isolationResponse']),
    drsVmotionRate: num(drs?.['vmotionRate']),
    evcMode: str(evc),
    vsanEnabled: bool(field(conf, 'vsanConfigInfo', 'enabled')),
  };
}

export function datastoreDepth(summary: XObject | undefined, info: XObject | undefined) {
  const vmfs = obj(info?.['vmfs']);
  const nas = obj(info?.['nas']);
  const extents = asArray(vmfs?.['extent'])
    .map((e) => str(obj(e)?.['diskName']))
    .filter((d): d is string => d !== null);
  const nasAddress =
    nas && (str(nas['remoteHost']) || str(nas['remotePath']))
      ? `${str(nas['remoteHost']) ?? ''}:${str(nas['remotePath']) ?? ''}`
      : null;
  return {
    version: str(vmfs?.['version']) ?? str(nas?.['type']),
    multipleHostAccess: bool(summary?.['multipleHostAccess']),
    address: nasAddress ?? joinList(extents),
    blockSizeMb: num(vmfs?.['blockSizeMb']),
    extentCount: vmfs ? extents.length : null,
    vmfsUpgradable: bool(vmfs?.['vmfsUpgradable']),
  };
}

/** A distributed port group's VLAN: an id, a trunk's ranges (`0-4094`), or a private VLAN id. */
function vlanOf(vlan: XObject | undefined): string | null {
  const id = vlan?.['vlanId'];
  if (typeof id === 'string') return id || null;
  if (id !== undefined) {
    const ranges = asArray(id)
      .map((r) => {
        const start = str(obj(r)?.['start']);
        const end = str(obj(r)?.['end']);
        return start === null ? null : end === null || end === start ? start : `${start}-${end}`;
      })
      .filter((r): r is string => r !== null);
    return joinList(ranges);
  }
  return str(vlan?.['pvlanId']);
}

/** Policy values come wrapped (`{inherited, value}`). */
function policyValue(v: XValue | undefined): XValue | undefined {
  const o = obj(v);
  return o && 'value' in o ? o['value'] : v;
}

export function portgroupDepth(props: Map<string, XValue>, switchName: string | null) {
  const port = obj(props.get('config.defaultPortConfig'));
  const teaming = obj(port?.['uplinkTeamingPolicy']);
  const order = obj(teaming?.['uplinkPortOrder']);
  const security = obj(port?.['securityPolicy']);
  return {
    vlanId: vlanOf(obj(port?.['vlan'])),
    switch: switchName,
    uplink: bool(props.get('config.uplink')),
    numPorts: num(props.get('config.numPorts')),
    portBinding: str(props.get('config.type')),
    activeUplinks: joinList(strs(order?.['activeUplinkPort'])),
    standbyUplinks: joinList(strs(order?.['standbyUplinkPort'])),
    allowPromiscuous: bool(policyValue(security?.['allowPromiscuous'])),
    macChanges: bool(policyValue(security?.['macChanges'])),
    forgedTransmits: bool(policyValue(security?.['forgedTransmits'])),
    teamingPolicy: str(policyValue(teaming?.['policy'])),
    key: str(props.get('key')),
  };
}

/** A date, or null for vSphere's "not set" (0001-01-01). */
function validDate(v: XValue | undefined): string | null {
  const d = date(v);
  return d !== null && Date.parse(d) > 0 ? d : null;
}

export function dvSwitchRow(
  moid: string,
  props: Map<string, XValue>,
  datacenter: string | null,
): Omit<DvSwitchRow, never> {
  const summary = obj(props.get('summary'));
  const config = obj(props.get('config'));
  const product = obj(summary?.['productInfo']);
  const ldp = obj(config?.['linkDiscoveryProtocolConfig']);
  const contact = obj(summary?.['contact']) ?? obj(config?.['contact']);
  return {
    moid,
    name: str(props.get('name')) ?? str(summary?.['name']) ?? moid,
    datacenter,
    vendor: str(product?.['vendor']),
    version: str(product?.['version']),
    description: str(summary?.['description']) ?? str(config?.['description']),
    createdAt: validDate(config?.['createTime']),
    hostCount: summary?.['hostMember'] !== undefined ? asArray(summary['hostMember']).length : null,
    maxPorts: num(config?.['maxPorts']),
    numPorts: num(summary?.['numPorts']) ?? num(config?.['numPorts']),
    vmCount: summary?.['vm'] !== undefined ? asArray(summary['vm']).length : null,
    maxMtu: num(config?.['maxMtu']),
    cdpType: str(ldp?.['protocol']),
    cdpOperation: str(ldp?.['operation']),
    contact: str(contact?.['contact']),
    adminName: str(contact?.['name']),
    uplinks: joinList(strs(field(config, 'uplinkPortPolicy', 'uplinkPortName'))),
    uuid: str(summary?.['uuid']) ?? str(config?.['uuid']),
  };
}
