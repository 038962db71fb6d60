#!/usr/bin/python3
"""Independent read of a (simulated) vCenter inventory with pyvmomi, for cross-checking vMiner.

Usage: /usr/bin/python3 e2e/pyvmomi/read_inventory.py URL USER PASSWORD

URL is like https://127.0.0.1:PORT/sdk. TLS is not verified (loopback test simulators only).
Prints one JSON document on stdout with the keys vms, hosts, datastores, clusters, vmDetails,
datastoreDetails, hostDetails, networks, datacenters (each a list sorted by name), and the
RVTools-depth reading: disks, nics, partitions (per VM device and guest partition), vmDepth,
hostDepth, clusterDepth, dvSwitches, customFields and tags (the tagging REST API, read with
urllib from the same credentials). Uses one PropertyCollector RetrievePropertiesEx per managed
object type over a recursive ContainerView, paging with ContinueRetrievePropertiesEx.
"""

import base64
import json
import ssl
import sys
import urllib.error
import urllib.request
from urllib.parse import quote, urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

VM_PATHS = [
    "name",
    "parent",
    "runtime.host",
    "runtime.powerState",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.guestFullName",
    "config.annotation",
    "config.instanceUuid",
    "config.template",
    "guest.ipAddress",
    "guest.toolsStatus",
    "snapshot",
    "datastore",
    "network",
    "config.guestId",
    "guest.toolsRunningStatus",
    "guest.toolsVersionStatus2",
    "guest.net",
    "runtime.bootTime",
    "summary.storage.committed",
    "summary.storage.uncommitted",
    "guest.guestFullName",
    "config.hardware.device",
    "guest.disk",
    "layoutEx.file",
    "layoutEx.snapshot",
    "layoutEx.disk",
    "config.createDate",
    "config.firmware",
    "config.bootOptions",
    "config.cpuAllocation",
    "config.memoryAllocation",
    "config.cpuHotAddEnabled",
    "config.memoryHotAddEnabled",
    "runtime.consolidationNeeded",
    "summary.config.vmPathName",
    "customValue",
    "resourcePool",
]
HOST_PATHS = [
    "name",
    "parent",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
    "vm",
    "runtime.bootTime",
    "config.product.version",
    "hardware.systemInfo",
    "hardware.biosInfo",
    "config.network.pnic",
    "config.network.vnic",
    "config.network.vswitch",
    "customValue",
]
DS_PATHS = ["name", "parent", "summary.type", "summary.capacity", "summary.freeSpace", "summary.accessible", "vm"]
CLUSTER_PATHS = ["name", "parent", "host", "configurationEx"]
SIMPLE_PATHS = ["name", "parent"]


def connect(url, user, password):
    u = urlparse(url)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return SmartConnect(
        protocol=u.scheme or "https",
        host=u.hostname,
        port=u.port or 443,
        path=u.path or "/sdk",
        user=user,
        pwd=password,
        sslContext=ctx,
    )


def retrieve(si, obj_type, paths):
    """Return {moid: {path: value}} for all objects of obj_type (recursive from rootFolder)."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [obj_type], True)
    try:
        traversal = vmodl.query.PropertyCollector.TraversalSpec(
            name="traverseView", path="view", skip=False, type=vim.view.ContainerView
        )
        obj_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
        prop_spec = vmodl.query.PropertyCollector.PropertySpec(type=obj_type, pathSet=paths, all=False)
        filter_spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=[obj_spec], propSet=[prop_spec])
        pc = content.propertyCollector
        options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1000)
        result = pc.RetrievePropertiesEx([filter_spec], options)
        out = {}
        while result is not None:
            for oc in result.objects:
                props = {p.name: p.val for p in (oc.propSet or [])}
                out[oc.obj._moId] = props
            if not result.token:
                break
            result = pc.ContinueRetrievePropertiesEx(result.token)
        return out
    finally:
        view.Destroy()


def moid(ref):
    return ref._moId if ref is not None else None


def count_snapshots(tree_list):
    n = 0
    for t in tree_list or []:
        n += 1 + count_snapshots(t.childSnapshotList)
    return n


def snapshot_times(tree_list):
    out = []
    for t in tree_list or []:
        out.append(t.createTime.isoformat() if t.createTime is not None else None)
        out.extend(snapshot_times(t.childSnapshotList))
    return out


def iso(t):
    return t.isoformat() if t is not None else None


def guest_ips(net):
    ips = []
    for nic in net or []:
        for ip in nic.ipAddress or []:
            if ip not in ips:
                ips.append(ip)
    return ips


CONTROLLERS = {
    "ParaVirtualSCSIController": "pvscsi",
    "VirtualLsiLogicController": "lsilogic",
    "VirtualLsiLogicSASController": "lsilogic-sas",
    "VirtualBusLogicController": "buslogic",
    "VirtualNVMEController": "nvme",
    "VirtualAHCIController": "sata",
    "VirtualIDEController": "ide",
}
NICS = {
    "VirtualVmxnet3": "vmxnet3",
    "VirtualE1000e": "e1000e",
    "VirtualE1000": "e1000",
    "VirtualPCNet32": "pcnet32",
    "VirtualVmxnet2": "vmxnet2",
    "VirtualSriovEthernetCard": "sriov",
}


def kind(obj):
    """pyVmomi class name without the vim.vm.device prefix: VirtualDisk, ParaVirtualSCSIController, ..."""
    return type(obj).__name__.split(".")[-1]


def snapshot_sizes(vm_name, layout_files, layout_snaps, running):
    """RVTools' vSnapshot sizes: the .vmsn file, and .vmsn + .vmem + the delta disks made on top of the
    snapshot (the chain units right after its own chain in the chains that extend it)."""
    size = {f.key: f.size for f in layout_files or []}

    def chains(disks):
        return {d.key: [",".join(str(k) for k in (u.fileKey or [])) for u in (d.chain or [])] for d in disks or []}

    snaps = [(s, chains(s.disk)) for s in layout_snaps or []]
    states = [c for _, c in snaps] + [chains(running)]
    out = []
    for s, own in snaps:
        vmsn = size.get(s.dataKey)
        total = None
        if vmsn is not None:
            total = vmsn + (size.get(s.memoryKey, 0) if s.memoryKey is not None and s.memoryKey >= 0 else 0)
            deltas = set()
            for disk, chain in own.items():
                for state in states:
                    other = state.get(disk)
                    if other is None or other is chain or len(other) <= len(chain):
                        continue
                    if other[:len(chain)] == chain:
                        deltas.add(other[len(chain)])
            for unit in deltas:
                for k in unit.split(","):
                    if k:
                        total += size.get(int(k), 0)
        out.append({"vm": vm_name, "moid": s.key._moId, "vmsnBytes": vmsn, "totalBytes": total})
    return out


def read_depth(vms, hosts, clusters, datastores, networks, pools, vapps, portgroups, switches, fields, net_names):
    switch_names = {k: v.get("name") for k, v in switches.items()}
    pg_by_key = {
        v.get("key"): (v.get("name"), switch_names.get(moid(v.get("config.distributedVirtualSwitch"))))
        for v in portgroups.values()
    }
    disks, nics, partitions, vm_depth, snap_sizes = [], [], [], [], []
    for k, v in vms.items():
        name = v.get("name")
        devices = v.get("config.hardware.device") or []
        ctrls = {d.key: d for d in devices if kind(d) in CONTROLLERS}
        ips_by_mac = {}
        for n in v.get("guest.net") or []:
            if n.macAddress:
                ips_by_mac.setdefault(n.macAddress.lower(), []).extend(n.ipAddress or [])
        for d in devices:
            t = kind(d)
            if t == "VirtualDisk":
                b = d.backing
                thin = getattr(b, "thinProvisioned", None)
                eager = getattr(b, "eagerlyScrub", None)
                prov = "thin" if thin else ("thick eager" if eager else "thick lazy")
                c = ctrls.get(d.controllerKey)
                disks.append({
                    "vm": name,
                    "key": d.key,
                    "label": d.deviceInfo.label if d.deviceInfo else None,
                    "capacityBytes": d.capacityInBytes or (d.capacityInKB * 1024 if d.capacityInKB else None),
                    "provisioning": prov,
                    "fileName": getattr(b, "fileName", None),
                    "diskMode": getattr(b, "diskMode", None),
                    "controllerType": CONTROLLERS.get(kind(c)) if c else None,
                    "busNumber": c.busNumber if c else None,
                    "unitNumber": d.unitNumber,
                })
            elif t in NICS:
                b = d.backing
                port = getattr(b, "port", None)
                pg = pg_by_key.get(port.portgroupKey) if port else None
                network = pg[0] if pg else (net_names.get(moid(getattr(b, "network", None))) or getattr(b, "deviceName", None))
                ips = ips_by_mac.get((d.macAddress or "").lower(), [])
                nics.append({
                    "vm": name,
                    "key": d.key,
                    "adapterType": NICS[t],
                    "network": network,
                    "switch": pg[1] if pg else None,
                    "macAddress": d.macAddress,
                    "connected": bool(d.connectable.connected) if d.connectable else None,
                    "ipv4": sorted(ip for ip in ips if ":" not in ip),
                })
        for g in v.get("guest.disk") or []:
            partitions.append({
                "vm": name,
                "path": g.diskPath,
                "capacityBytes": g.capacity,
                "freeBytes": g.freeSpace,
            })
        cpu = v.get("config.cpuAllocation")
        mem = v.get("config.memoryAllocation")
        boot = v.get("config.bootOptions")
        pool_ref = moid(v.get("resourcePool"))
        path, vapp = [], None
        cur = pool_ref
        while cur in pools:
            path.insert(0, pools[cur]["name"])
            if cur in vapps and vapp is None:
                vapp = pools[cur]["name"]
            cur = moid(pools[cur].get("parent"))
        snap_sizes.extend(snapshot_sizes(name, v.get("layoutEx.file"), v.get("layoutEx.snapshot"), v.get("layoutEx.disk")))
        vm_depth.append({
            "name": name,
            "createdAt": iso(v.get("config.createDate")),
            "firmware": v.get("config.firmware"),
            "secureBoot": getattr(boot, "efiSecureBootEnabled", None) if boot else None,
            "cpuReservationMhz": cpu.reservation if cpu else None,
            "cpuLimitMhz": cpu.limit if cpu else None,
            "cpuSharesLevel": str(cpu.shares.level) if cpu and cpu.shares else None,
            "memoryReservationMb": mem.reservation if mem else None,
            "cpuHotAdd": v.get("config.cpuHotAddEnabled"),
            "memoryHotAdd": v.get("config.memoryHotAddEnabled"),
            "consolidationNeeded": v.get("runtime.consolidationNeeded"),
            "vmPathName": v.get("summary.config.vmPathName"),
            "resourcePoolPath": "/" + "/".join(path) if path else None,
            "vapp": vapp,
            "customValues": {fields.get(c.key, str(c.key)): c.value for c in (v.get("customValue") or [])},
        })
    host_depth = []
    for k, v in hosts.items():
        sysinfo = v.get("hardware.systemInfo")
        bios = v.get("hardware.biosInfo")
        pnics = v.get("config.network.pnic") or []
        host_depth.append({
            "name": v.get("name"),
            "vendor": getattr(sysinfo, "vendor", None) if sysinfo else None,
            "model": getattr(sysinfo, "model", None) if sysinfo else None,
            "serialNumber": getattr(sysinfo, "serialNumber", None) if sysinfo else None,
            "biosVersion": getattr(bios, "biosVersion", None) if bios else None,
            "nics": sorted(
                ({"device": p.device, "mac": p.mac, "driver": p.driver,
                  "speedMb": p.linkSpeed.speedMb if p.linkSpeed else None} for p in pnics),
                key=lambda x: x["device"],
            ),
            "vmkernelIps": [n.spec.ip.ipAddress for n in (v.get("config.network.vnic") or []) if n.spec and n.spec.ip],
            "vswitches": sorted(s.name for s in (v.get("config.network.vswitch") or [])),
            "customValues": {fields.get(c.key, str(c.key)): c.value for c in (v.get("customValue") or [])},
        })
    cluster_depth = []
    for k, v in clusters.items():
        cfg = v.get("configurationEx")
        das = getattr(cfg, "dasConfig", None)
        drs = getattr(cfg, "drsConfig", None)
        cluster_depth.append({
            "name": v.get("name"),
            "haAdmissionControl": getattr(das, "admissionControlEnabled", None) if das else None,
            "drsBehavior": str(drs.defaultVmBehavior) if drs and drs.defaultVmBehavior else None,
        })
    dvs = [
        {"name": v.get("name"), "version": getattr(v.get("summary.productInfo"), "version", None)}
        for v in switches.values()
    ]
    by = lambda *keys: (lambda x: tuple(str(x.get(k)) for k in keys))
    return {
        "disks": sorted(disks, key=by("vm", "key")),
        "nics": sorted(nics, key=by("vm", "key")),
        "partitions": sorted(partitions, key=by("vm", "path")),
        "vmDepth": sorted(vm_depth, key=by("name")),
        "snapshotSizes": sorted(snap_sizes, key=by("vm", "moid")),
        "hostDepth": sorted(host_depth, key=by("name")),
        "clusterDepth": sorted(cluster_depth, key=by("name")),
        "dvSwitches": sorted(dvs, key=by("name")),
        "customFields": sorted(fields.values()),
    }


def read_tags(url, user, password, objects):
    """The tagging REST API (vAPI /rest): categories, tags and the objects each is attached to."""
    u = urlparse(url)
    base = f"{u.scheme}://{u.netloc}/rest/com/vmware/cis/"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    session = {}

    def call(method, path, body=None, basic=False):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if basic:
            req.add_header("Authorization", "Basic " + auth)
        if "id" in session:
            req.add_header("vmware-api-session-id", session["id"])
        with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
            text = r.read().decode()
            return json.loads(text).get("value") if text.strip() else None

    try:
        session["id"] = call("POST", "session", basic=True)
    except (urllib.error.HTTPError, urllib.error.URLError) as e:
        return {"error": str(e), "assignments": []}
    categories = {i: call("GET", "tagging/category/id:" + quote(i, safe="")) for i in call("GET", "tagging/category") or []}
    tags = {i: call("GET", "tagging/tag/id:" + quote(i, safe="")) for i in call("GET", "tagging/tag") or []}
    out = []
    ids = list(tags)
    for i in range(0, len(ids), 100):
        for entry in call("POST", "tagging/tag-association?~action=list-attached-objects-on-tags", {"tag_ids": ids[i:i + 100]}) or []:
            t = tags[entry["tag_id"]]
            for o in entry.get("object_ids") or []:
                out.append({
                    "objectType": o["type"],
                    "object": (objects.get(o["id"]) or {}).get("name"),
                    "category": categories[t["category_id"]]["name"],
                    "tag": t["name"],
                })
    call("DELETE", "session")
    return {"error": None, "assignments": sorted(out, key=lambda x: (x["objectType"], str(x["object"]), x["category"], x["tag"]))}


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, user, password = argv[1], argv[2], argv[3]
    si = connect(url, user, password)
    try:
        vms = retrieve(si, vim.VirtualMachine, VM_PATHS)
        hosts = retrieve(si, vim.HostSystem, HOST_PATHS)
        datastores = retrieve(si, vim.Datastore, DS_PATHS)
        clusters = retrieve(si, vim.ClusterComputeResource, CLUSTER_PATHS)
        computes = retrieve(si, vim.ComputeResource, SIMPLE_PATHS)  # includes clusters
        datacenters = retrieve(si, vim.Datacenter, SIMPLE_PATHS)
        folders = retrieve(si, vim.Folder, SIMPLE_PATHS)
        networks = retrieve(si, vim.Network, ["name", "parent", "vm"])
        pools = retrieve(si, vim.ResourcePool, ["name", "parent"])
        vapps = set(retrieve(si, vim.VirtualApp, ["name"]))
        portgroups = retrieve(si, vim.dvs.DistributedVirtualPortgroup, ["key", "name", "config.distributedVirtualSwitch"])
        switches = retrieve(si, vim.DistributedVirtualSwitch, ["name", "summary.productInfo"])
        content = si.RetrieveContent()
        fields = {f.key: f.name for f in (content.customFieldsManager.field or [])} if content.customFieldsManager else {}
    finally:
        Disconnect(si)

    parents = {}
    for table in (computes, datacenters, folders, vms, hosts, datastores, networks):
        for k, v in table.items():
            parents[k] = moid(v.get("parent"))

    def datacenter_of(obj_id):
        seen = 0
        cur = parents.get(obj_id)
        while cur is not None and seen < 100:
            if cur in datacenters:
                return datacenters[cur]["name"]
            cur = parents.get(cur)
            seen += 1
        return None

    def cluster_of_host(host_id):
        p = parents.get(host_id)
        return clusters[p]["name"] if p in clusters else None

    ds_names = {k: v.get("name") for k, v in datastores.items()}
    net_names = {k: v.get("name") for k, v in networks.items()}

    vm_list = []
    vm_details = []
    for k, v in vms.items():
        snap0 = v.get("snapshot")
        vm_details.append(
            {
                "name": v.get("name"),
                "guestId": v.get("config.guestId"),
                "toolsRunningStatus": v.get("guest.toolsRunningStatus"),
                "toolsVersionStatus2": v.get("guest.toolsVersionStatus2"),
                "ipAddresses": guest_ips(v.get("guest.net")),
                "snapshotCreateTimes": snapshot_times(snap0.rootSnapshotList) if snap0 is not None else [],
                "bootTime": iso(v.get("runtime.bootTime")),
                "committedBytes": v.get("summary.storage.committed"),
                "uncommittedBytes": v.get("summary.storage.uncommitted"),
                "guestFullNameReported": v.get("guest.guestFullName") or None,
            }
        )
        host_id = moid(v.get("runtime.host"))
        snap = v.get("snapshot")
        vm_list.append(
            {
                "name": v.get("name"),
                "host": hosts[host_id]["name"] if host_id in hosts else None,
                "cluster": cluster_of_host(host_id) if host_id else None,
                "datacenter": datacenter_of(k),
                "powerState": str(v.get("runtime.powerState")) if v.get("runtime.powerState") is not None else None,
                "numCpu": v.get("config.hardware.numCPU"),
                "memoryMb": v.get("config.hardware.memoryMB"),
                "guestFullName": v.get("config.guestFullName"),
                "ipAddress": v.get("guest.ipAddress") or None,
                "toolsStatus": str(v.get("guest.toolsStatus")) if v.get("guest.toolsStatus") is not None else None,
                "annotation": v.get("config.annotation") or "",
                "instanceUuid": v.get("config.instanceUuid"),
                "template": bool(v.get("config.template")),
                "snapshotCount": count_snapshots(snap.rootSnapshotList) if snap is not None else 0,
                "datastores": sorted(ds_names.get(moid(r)) for r in (v.get("datastore") or [])),
                "networks": sorted(net_names.get(moid(r)) for r in (v.get("network") or [])),
            }
        )

    host_list = []
    for k, v in hosts.items():
        mem = v.get("summary.hardware.memorySize")
        host_list.append(
            {
                "name": v.get("name"),
                "cluster": cluster_of_host(k),
                "datacenter": datacenter_of(k),
                "connectionState": str(v.get("runtime.connectionState")),
                "inMaintenanceMode": bool(v.get("runtime.inMaintenanceMode")),
                "numCpuCores": v.get("summary.hardware.numCpuCores"),
                "memoryMb": int(mem / 1024 / 1024) if mem is not None else None,
                "vmCount": len(v.get("vm") or []),
            }
        )

    host_details = [
        {
            "name": v.get("name"),
            "bootTime": iso(v.get("runtime.bootTime")),
            "esxiVersion": v.get("config.product.version"),
        }
        for v in hosts.values()
    ]

    ds_list = []
    for k, v in datastores.items():
        ds_list.append(
            {
                "name": v.get("name"),
                "type": v.get("summary.type"),
                "capacityBytes": v.get("summary.capacity"),
                "freeBytes": v.get("summary.freeSpace"),
                "vmCount": len(v.get("vm") or []),
            }
        )

    cluster_list = []
    for k, v in clusters.items():
        host_ids = [moid(h) for h in (v.get("host") or [])]
        cfg = v.get("configurationEx")
        drs = getattr(getattr(cfg, "drsConfig", None), "enabled", None)
        das = getattr(getattr(cfg, "dasConfig", None), "enabled", None)
        cluster_list.append(
            {
                "name": v.get("name"),
                "datacenter": datacenter_of(k),
                "hostCount": len(host_ids),
                "vmCount": sum(len(hosts[h].get("vm") or []) for h in host_ids if h in hosts),
                "drsEnabled": bool(drs),
                "haEnabled": bool(das),
            }
        )

    ds_details = [
        {
            "name": v.get("name"),
            "datacenter": datacenter_of(k),
            "accessible": bool(v.get("summary.accessible")),
        }
        for k, v in datastores.items()
    ]
    net_list = [
        {"name": v.get("name"), "datacenter": datacenter_of(k), "vmCount": len(v.get("vm") or [])}
        for k, v in networks.items()
    ]
    dc_list = [{"name": v.get("name")} for v in datacenters.values()]

    depth = read_depth(vms, hosts, clusters, datastores, networks, pools, vapps, portgroups, switches, fields, net_names)
    depth["tags"] = read_tags(url, user, password, {**vms, **hosts, **clusters, **datastores, **networks})

    by_name = lambda x: (x["name"] or "")
    out = {
        "vms": sorted(vm_list, key=by_name),
        "hosts": sorted(host_list, key=by_name),
        "datastores": sorted(ds_list, key=by_name),
        "clusters": sorted(cluster_list, key=by_name),
        # Extra reads for the question tests, kept apart so the per-VM/per-datastore records above
        # stay exactly what the sync test compares.
        "vmDetails": sorted(vm_details, key=by_name),
        "datastoreDetails": sorted(ds_details, key=by_name),
        "hostDetails": sorted(host_details, key=by_name),
        "networks": sorted(net_list, key=by_name),
        "datacenters": sorted(dc_list, key=by_name),
        # Which object is which (the change history test follows objects across renames).
        "moids": {
            kind: sorted(({"moid": k, "name": v.get("name")} for k, v in objs.items()), key=lambda x: x["moid"])
            for kind, objs in (("vms", vms), ("hosts", hosts), ("clusters", clusters))
        },
        **depth,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
