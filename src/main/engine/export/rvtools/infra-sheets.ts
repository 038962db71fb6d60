/**
 * The infrastructure sheets of the RVTools layout (vHost, vNIC, vSwitch, dvSwitch, dvPort,
 * vCluster, vDatastore) and vMetaData: RVTools' headers in RVTools' order, each with its source.
 */
import { attributeColumns } from './vm-sheets.js';
import {
  bool,
  col,
  computed,
  date,
  empty,
  empties,
  mib,
  num,
  SDK_COLUMNS,
  WHY,
  type RvColumn,
} from './columns.js';

const perCore = (a: unknown, b: unknown): number | null =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 100) / 100 : null;

export function vHost(attributes: readonly string[]): RvColumn[] {
  return [
    col('Host', 'name', 'name'),
    col('Datacenter', 'datacenter', 'the datacenter above the host'),
    col('Cluster', 'cluster', 'the host’s cluster (empty for a standalone host)'),
    empty('Config status', 'configStatus is not read (vMiner keeps overallStatus)'),
    empty('Compliance Check State', WHY.notRead),
    bool('in Maintenance Mode', 'in_maintenance_mode', 'runtime.inMaintenanceMode'),
    empty('in Quarantine Mode', WHY.notRead),
    empty('vSAN Fault Domain Name', WHY.notRead),
    col('CPU Model', 'cpu_model', 'summary.hardware.cpuModel'),
    num('Speed', 'cpu_mhz', 'summary.hardware.cpuMhz (MHz)'),
    empty('HT Available', WHY.notRead),
    empty('HT Active', WHY.notRead),
    num('# CPU', 'num_cpu_sockets', 'summary.hardware.numCpuPkgs'),
    computed('Cores per CPU', 'number', 'numCpuCores ÷ numCpuPkgs', (r) =>
      typeof r['num_cpu_cores'] === 'number' &&
      typeof r['num_cpu_sockets'] === 'number' &&
      r['num_cpu_sockets'] > 0
        ? Math.round((r['num_cpu_cores'] as number) / (r['num_cpu_sockets'] as number))
        : null,
    ),
    num('# Cores', 'num_cpu_cores', 'summary.hardware.numCpuCores'),
    empty('CPU usage %', WHY.quickStats),
    num('# Memory', 'memory_mb', 'summary.hardware.memorySize (MiB)'),
    empty('Memory Tiering Type', WHY.notRead),
    empty('Memory usage %', WHY.quickStats),
    empty('Console', WHY.notRead),
    num('# NICs', 'nic_count', 'the physical NICs (config.network.pnic)'),
    empty('# HBAs', 'storage adapters are not read'),
    num('# VMs total', 'vm_count', 'the VMs on the host (vm)'),
    num('# VMs', 'vms_on', 'the powered-on VMs on the host'),
    computed('VMs per Core', 'number', '# VMs (powered on) ÷ # Cores', (r) =>
      perCore(r['vms_on'], r['num_cpu_cores']),
    ),
    num('# vCPUs', 'vcpus_on', 'the vCPUs of the powered-on VMs on the host'),
    computed('vCPUs per Core', 'number', '# vCPUs ÷ # Cores', (r) =>
      perCore(r['vcpus_on'], r['num_cpu_cores']),
    ),
    num('vRAM', 'vram_on', 'the memory of the powered-on VMs on the host (MiB)'),
    ...empties(['VM Used memory', 'VM Memory Swapped', 'VM Memory Ballooned'], WHY.quickStats),
    empty('VMotion support', WHY.notRead),
    empty('Storage VMotion support', WHY.notRead),
    empty('Current EVC', 'the host’s EVC mode is not read (the cluster’s is, in vCluster)'),
    empty('Max EVC', WHY.notRead),
    empty('Assigned License(s)', 'licenses are not read'),
    ...empties(
      [
        'ATS Heartbeat',
        'ATS Locking',
        'Current CPU power man. policy',
        'Supported CPU power man.',
        'Host Power Policy',
      ],
      WHY.notRead,
    ),
    computed('ESX Version', 'text', 'summary.config.product: "VMware ESXi <version> build-<build>"', (r) =>
      r['esxi_version']
        ? `VMware ESXi ${String(r['esxi_version'])}${r['esxi_build'] ? ` build-${String(r['esxi_build'])}` : ''}`
        : null,
    ),
    date('Boot time', 'boot_time', 'runtime.bootTime'),
    ...empties(
      ['DNS Servers', 'DHCP', 'Domain', 'Domain List', 'DNS Search Order'],
      'the host’s DNS configuration is not read',
    ),
    ...empties(
      ['NTP Server(s)', 'NTPD running', 'Time Zone', 'Time Zone Name', 'GMT Offset'],
      'the host’s time configuration is not read',
    ),
    col('Vendor', 'vendor', 'summary.hardware.vendor (or hardware.systemInfo.vendor)'),
    col('Model', 'model', 'summary.hardware.model (or hardware.systemInfo.model)'),
    col('Serial number', 'serial_number', 'hardware.systemInfo.serialNumber'),
    col('Service tag', 'service_tag', 'hardware.systemInfo.otherIdentifyingInfo (ServiceTag)'),
    empty('OEM specific string', WHY.notRead),
    col('BIOS Vendor', 'bios_vendor', 'hardware.biosInfo.vendor'),
    col('BIOS Version', 'bios_version', 'hardware.biosInfo.biosVersion'),
    date('BIOS Date', 'bios_date', 'hardware.biosInfo.releaseDate'),
    ...empties(
      [
        'Certificate Issuer',
        'Certificate Start Date',
        'Certificate Expiry Date',
        'Certificate Status',
        'Certificate Subject',
      ],
      'host certificates are not read',
    ),
    col('Object ID', 'moid', 'the host’s managed object id'),
    ...attributeColumns(attributes),
    col('UUID', 'uuid', 'hardware.systemInfo.uuid'),
    ...SDK_COLUMNS,
  ];
}

const HOST_LEAD: RvColumn[] = [
  col('Host', 'host_name', 'the host’s name'),
  col('Datacenter', 'host_datacenter', 'the host’s datacenter'),
  col('Cluster', 'host_cluster', 'the host’s cluster'),
];

export function vNic(): RvColumn[] {
  return [
    ...HOST_LEAD,
    col('Network Device', 'device', 'config.network.pnic[].device'),
    col('Driver', 'driver', 'config.network.pnic[].driver'),
    num('Speed', 'speed_mb', 'linkSpeed.speedMb (Mb/s; empty when the link is down)'),
    computed('Duplex', 'text', 'linkSpeed.duplex (Full Duplex / Half Duplex)', (r) =>
      r['duplex'] === null || r['duplex'] === undefined ? null : r['duplex'] ? 'Full Duplex' : 'Half Duplex',
    ),
    col('MAC', 'mac', 'config.network.pnic[].mac'),
    col('Switch', 'switch', 'the vSwitch or dvSwitch using it as an uplink'),
    empty('Uplink port', WHY.notRead),
    col('PCI', 'pci', 'config.network.pnic[].pci'),
    bool('WakeOn', 'wake_on_lan', 'wakeOnLanSupported'),
    ...SDK_COLUMNS,
  ];
}

export function vSwitch(): RvColumn[] {
  return [
    ...HOST_LEAD,
    col('Switch', 'name', 'config.network.vswitch[].name'),
    num('# Ports', 'num_ports', 'numPorts'),
    num('Free Ports', 'free_ports', 'numPortsAvailable'),
    bool('Promiscuous Mode', 'allow_promiscuous', 'spec.policy.security.allowPromiscuous'),
    bool('Mac Changes', 'mac_changes', 'spec.policy.security.macChanges'),
    bool('Forged Transmits', 'forged_transmits', 'spec.policy.security.forgedTransmits'),
    bool('Traffic Shaping', 'shaping', 'spec.policy.shapingPolicy.enabled'),
    num('Width', 'shaping_average', 'shapingPolicy.averageBandwidth (bit/s)'),
    num('Peak', 'shaping_peak', 'shapingPolicy.peakBandwidth (bit/s)'),
    num('Burst', 'shaping_burst', 'shapingPolicy.burstSize (bytes)'),
    col('Policy', 'teaming_policy', 'spec.policy.nicTeaming.policy'),
    bool('Reverse Policy', 'reverse_policy', 'nicTeaming.reversePolicy'),
    bool('Notify Switch', 'notify_switches', 'nicTeaming.notifySwitches'),
    bool('Rolling Order', 'rolling_order', 'nicTeaming.rollingOrder'),
    bool('Offload', 'offload', 'offloadPolicy.csumOffload'),
    bool('TSO', 'tso', 'offloadPolicy.tcpSegmentation'),
    bool('Zero Copy Xmit', 'zero_copy_xmit', 'offloadPolicy.zeroCopyXmit'),
    num('MTU', 'mtu', 'mtu'),
    ...SDK_COLUMNS,
  ];
}

export function dvSwitch(): RvColumn[] {
  const shaping = 'traffic shaping of the dvSwitch default port policy is not read';
  return [
    col('Switch', 'name', 'name'),
    col('Datacenter', 'datacenter', 'the datacenter above the switch'),
    col('Name', 'name', 'name'),
    col('Vendor', 'vendor', 'summary.productInfo.vendor'),
    col('Version', 'version', 'summary.productInfo.version'),
    col('Description', 'description', 'summary.description'),
    date('Created', 'created_at', 'config.createTime'),
    num('Host members', 'host_count', 'summary.hostMember (count)'),
    num('Max Ports', 'max_ports', 'config.maxPorts'),
    num('# Ports', 'num_ports', 'summary.numPorts'),
    num('# VMs', 'vm_count', 'summary.vm (count)'),
    ...empties(
      [
        'In Traffic Shaping',
        'In Avg',
        'In Peak',
        'In Burst',
        'Out Traffic Shaping',
        'Out Avg',
        'Out Peak',
        'Out Burst',
      ],
      shaping,
    ),
    col('CDP Type', 'cdp_type', 'config.linkDiscoveryProtocolConfig.protocol'),
    col('CDP Operation', 'cdp_operation', 'config.linkDiscoveryProtocolConfig.operation'),
    ...empties(['LACP Name', 'LACP Mode', 'LACP Load Balance Alg.'], 'LACP groups are not read'),
    num('Max MTU', 'max_mtu', 'config.maxMtu'),
    col('Contact', 'contact', 'summary.contact.contact'),
    col('Admin Name', 'admin_name', 'summary.contact.name'),
    col('Object ID', 'moid', 'the switch’s managed object id'),
    ...SDK_COLUMNS,
  ];
}

export function dvPort(): RvColumn[] {
  const override = 'port policy override settings are not read';
  return [
    col('Port', 'name', 'the distributed port group’s name'),
    col('Switch', 'switch', 'config.distributedVirtualSwitch (its name)'),
    col('Type', 'port_binding', 'config.type (earlyBinding, ephemeral)'),
    num('# Ports', 'num_ports', 'config.numPorts'),
    col('VLAN', 'vlan_id', 'defaultPortConfig.vlan (an id, trunk ranges as 0-4094, or a private VLAN id)'),
    ...empties(['Speed', 'Full Duplex', 'Blocked'], WHY.notRead),
    bool('Allow Promiscuous', 'allow_promiscuous', 'defaultPortConfig.securityPolicy.allowPromiscuous'),
    bool('Mac Changes', 'mac_changes', 'defaultPortConfig.securityPolicy.macChanges'),
    col('Active Uplink', 'active_uplinks', 'uplinkTeamingPolicy.uplinkPortOrder.activeUplinkPort'),
    col('Standby Uplink', 'standby_uplinks', 'uplinkTeamingPolicy.uplinkPortOrder.standbyUplinkPort'),
    col('Policy', 'teaming_policy', 'uplinkTeamingPolicy.policy'),
    bool('Forged Transmits', 'forged_transmits', 'defaultPortConfig.securityPolicy.forgedTransmits'),
    ...empties(
      [
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
      ],
      WHY.notRead,
    ),
    empty('Live Port Moving', override),
    ...empties(['Check Duplex', 'Check Error %', 'Check Speed', 'Percentage'], WHY.notRead),
    ...empties(
      [
        'Block Override',
        'Config Reset',
        'Shaping Override',
        'Vendor Config Override',
        'Sec. Policy Override',
        'Teaming Override',
        'Vlan Override',
      ],
      override,
    ),
    col('Object ID', 'moid', 'the port group’s managed object id'),
    ...SDK_COLUMNS,
  ];
}

export function vCluster(): RvColumn[] {
  const das = 'this HA setting is not read';
  return [
    col('Name', 'name', 'name'),
    empty('Config status', 'configStatus is not read (OverallStatus is)'),
    col('OverallStatus', 'overall_status', 'summary.overallStatus'),
    num('NumHosts', 'host_count', 'host (count)'),
    num('numEffectiveHosts', 'effective_host_count', 'summary.numEffectiveHosts'),
    num('TotalCpu', 'total_cpu_mhz', 'summary.totalCpu (MHz)'),
    num('NumCpuCores', 'total_cpu_cores', 'summary.numCpuCores'),
    empty('NumCpuThreads', WHY.notRead),
    empty('Effective Cpu', WHY.quickStats),
    num('TotalMemory', 'total_memory_bytes', 'summary.totalMemory (bytes, as vSphere gives it)'),
    empty('Effective Memory', WHY.quickStats),
    empty('Num VMotions', WHY.notRead),
    bool('HA enabled', 'ha_enabled', 'configurationEx.dasConfig.enabled'),
    num('Failover Level', 'ha_failover_level', 'dasConfig.failoverLevel'),
    bool('AdmissionControlEnabled', 'ha_admission_control', 'dasConfig.admissionControlEnabled'),
    col('Host monitoring', 'ha_host_monitoring', 'dasConfig.hostMonitoring'),
    empty('HB Datastore Candidate Policy', das),
    col('Isolation Response', 'ha_isolation_response', 'dasConfig.defaultVmSettings.isolationResponse'),
    col('Restart Priority', 'ha_restart_priority', 'dasConfig.defaultVmSettings.restartPriority'),
    ...empties(
      ['Cluster Settings', 'Max Failures', 'Max Failure Window', 'Failure Interval', 'Min Up Time'],
      das,
    ),
    col('VM Monitoring', 'ha_vm_monitoring', 'dasConfig.vmMonitoring'),
    bool('DRS enabled', 'drs_enabled', 'configurationEx.drsConfig.enabled'),
    col('DRS default VM behavior', 'drs_behavior', 'drsConfig.defaultVmBehavior'),
    num('DRS vmotion rate', 'drs_vmotion_rate', 'drsConfig.vmotionRate'),
    ...empties(
      ['DPM enabled', 'DPM default behavior', 'DPM Host Power Action Rate'],
      'power management (DPM) is not read',
    ),
    col('Object ID', 'moid', 'the cluster’s managed object id'),
    ...SDK_COLUMNS,
  ];
}

export function vDatastore(): RvColumn[] {
  return [
    col('Name', 'name', 'name'),
    empty('Config status', 'configStatus is not read'),
    col('Address', 'address', 'info.nas remoteHost:remotePath, or the VMFS extents’ disk names'),
    bool('Accessible', 'accessible', 'summary.accessible'),
    col('Type', 'type', 'summary.type (VMFS, NFS, NFS41, vsan, VVOL)'),
    num('# VMs total', 'vm_count', 'vm (count)'),
    num('# VMs', 'vms_on', 'the powered-on VMs on it'),
    mib('Capacity MiB', 'capacity_bytes', 'summary.capacity'),
    mib('Provisioned MiB', 'provisioned_bytes', 'capacity − freeSpace + uncommitted'),
    computed('In Use MiB', 'number', 'capacity − freeSpace (bytes ÷ 1,048,576, rounded)', (r) =>
      typeof r['capacity_bytes'] === 'number' && typeof r['free_bytes'] === 'number'
        ? Math.round(((r['capacity_bytes'] as number) - (r['free_bytes'] as number)) / 1048576)
        : null,
    ),
    mib('Free MiB', 'free_bytes', 'summary.freeSpace'),
    num('Free %', 'free_percent', 'freeSpace ÷ capacity × 100 (one decimal)'),
    empty('SIOC enabled', 'Storage I/O Control is not read'),
    empty('SIOC Threshold', 'Storage I/O Control is not read'),
    num('# Hosts', 'host_count', 'host (count)'),
    col('Hosts', 'host_names', 'the names of the hosts that mount it'),
    ...empties(
      ['Cluster name', 'Cluster capacity MiB', 'Cluster free space MiB'],
      'datastore clusters are not read',
    ),
    num('Block size', 'block_size_mb', 'info.vmfs.blockSizeMb (MB)'),
    empty('Max Blocks', WHY.notRead),
    num('# Extents', 'extent_count', 'info.vmfs.extent (count)'),
    empty('Major Version', WHY.notRead),
    col('Version', 'version', 'info.vmfs.version (or the NFS type)'),
    bool('VMFS Upgradeable', 'vmfs_upgradable', 'info.vmfs.vmfsUpgradable'),
    bool('MHA', 'multiple_host_access', 'summary.multipleHostAccess'),
    col('URL', 'url', 'summary.url'),
    col('Object ID', 'moid', 'the datastore’s managed object id'),
    ...SDK_COLUMNS,
  ];
}

export function vMetaData(): RvColumn[] {
  return [
    computed('RVTools major version', 'number', 'the RVTools layout this workbook follows (4)', () => 4),
    computed(
      'RVTools version',
      'text',
      'the tool that wrote it: vMiner and its version (not RVTools)',
      (r) => r['written_by'],
    ),
    date('xlsx creation datetime', 'exported_at', 'when vMiner wrote the workbook'),
    computed('Server', 'text', 'the vCenter (the host name of its URL)', (r, ctx) => ctx.server(r)),
  ];
}
