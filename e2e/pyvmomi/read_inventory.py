#!/usr/bin/python3
"""Independent read of a (simulated) vCenter inventory with pyvmomi, for cross-checking vMiner.

Usage: /usr/bin/python3 e2e/pyvmomi/read_inventory.py URL USER PASSWORD

URL is like https://127.0.0.1:PORT/sdk. TLS is not verified (loopback test simulators only).
Prints one JSON document on stdout with the keys vms, hosts, datastores, clusters, vmDetails,
datastoreDetails, hostDetails, networks, datacenters (each a list sorted by name). Uses one PropertyCollector RetrievePropertiesEx per managed object type over a
recursive ContainerView, paging with ContinueRetrievePropertiesEx.
"""

import json
import ssl
import sys
from urllib.parse import urlparse

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
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
