#!/usr/bin/python3
"""Reference collector for the vMiner benchmark: best-practice pyvmomi inventory collection.

Usage:
  /usr/bin/python3 bench/pyvmomi_collect.py --user U --password P --paths-json FILE [--workers N] URL [URL...]

FILE is JSON like {"VirtualMachine": ["name", "runtime.powerState", ...], "HostSystem": [...],
"Datastore": [...], "ClusterComputeResource": [...], "Network": [...], "Datacenter": [...]}.

For each vCenter URL (https://host:port/sdk): log in, for each type create one recursive
ContainerView from the rootFolder, RetrievePropertiesEx (maxObjects 1000, paging with
ContinueRetrievePropertiesEx), convert every result to plain Python dicts in memory (so the work
is comparable with a real consumer), destroy the view, read the custom attribute names
(CustomFieldsManager.field) and the file layout of the VMs with snapshots (their sizes), log out; and, as vMiner does, read the tags through the tagging REST
API (a vAPI session from the same credentials, urllib). With --workers N > 1 the vCenters are
collected concurrently by a ThreadPoolExecutor.

Prints exactly one JSON line on stdout:
  {"seconds": <total wall time>, "objects": <objects collected>, "vcenters": <count>}
plus "unknownPaths": {"Type": ["path", ...]} when some property paths were rejected by a server
(those paths are dropped and reported on stderr too, never fatal). TLS is not verified: the
benchmark runs against loopback simulators only.
"""

import argparse
import base64
import datetime
import json
import ssl
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import urllib.error
import urllib.request
from urllib.parse import quote, urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl
from pyVmomi.VmomiSupport import DataObject, ManagedObject

KNOWN_TYPES = (
    "VirtualMachine",
    "HostSystem",
    "Datastore",
    "ClusterComputeResource",
    "ComputeResource",
    "Network",
    "DistributedVirtualPortgroup",
    "Datacenter",
    "Folder",
    "ResourcePool",
    "DistributedVirtualSwitch",
)

_unknown_lock = threading.Lock()
_unknown = {}  # type -> set(paths)


def note_unknown(type_name, path, url):
    with _unknown_lock:
        paths = _unknown.setdefault(type_name, set())
        if path not in paths:
            paths.add(path)
            print(f"pyvmomi_collect: {url}: unknown property {type_name}.{path} (skipped)", file=sys.stderr)


def to_plain(value):
    """Convert pyVmomi values to JSON-like Python data (dicts, lists, str, numbers)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, ManagedObject):
        return value._moId
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, DataObject):
        out = {"_type": type(value).__name__}
        for prop in value._GetPropertyList():
            v = getattr(value, prop.name, None)
            if v is None or (isinstance(v, list) and not v):
                continue
            out[prop.name] = to_plain(v)
        return out
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, type):
        return value.__name__
    return str(value)


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


def retrieve_type(content, type_name, paths, url):
    obj_type = getattr(vim, type_name)
    view = content.viewManager.CreateContainerView(content.rootFolder, [obj_type], True)
    try:
        traversal = vmodl.query.PropertyCollector.TraversalSpec(
            name="traverseView", path="view", skip=False, type=vim.view.ContainerView
        )
        obj_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
        pc = content.propertyCollector
        options = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1000)
        paths = list(paths)
        while True:
            prop_spec = vmodl.query.PropertyCollector.PropertySpec(type=obj_type, pathSet=paths, all=False)
            spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=[obj_spec], propSet=[prop_spec])
            try:
                result = pc.RetrievePropertiesEx([spec], options)
                break
            except vmodl.query.InvalidProperty as fault:
                # A real vCenter rejects the whole call for an unknown path: drop it and retry.
                bad = getattr(fault, "name", None)
                if bad not in paths:
                    raise
                note_unknown(type_name, bad, url)
                paths.remove(bad)

        objects = []
        while result is not None:
            for oc in result.objects or []:
                item = {"_type": type_name, "_moid": oc.obj._moId}
                for prop in oc.propSet or []:
                    item[prop.name] = to_plain(prop.val)
                for missing in oc.missingSet or []:
                    if isinstance(missing.fault, vmodl.query.InvalidProperty):
                        note_unknown(type_name, missing.path, url)
                objects.append(item)
            if not result.token:
                break
            result = pc.ContinueRetrievePropertiesEx(result.token)
        return objects
    finally:
        view.Destroy()


def read_tags(url, user, password):
    """Categories, tags and attached objects through the tagging REST API (plain dicts)."""
    u = urlparse(url)
    base = f"{u.scheme}://{u.netloc}/rest/com/vmware/cis/"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    session = {}

    def call(method, path, body=None, auth=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method)
        req.add_header("Accept", "application/json")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", auth)
        if "id" in session:
            req.add_header("vmware-api-session-id", session["id"])
        with urllib.request.urlopen(req, context=ctx, timeout=120) as r:
            text = r.read().decode()
            return json.loads(text).get("value") if text.strip() else None

    try:
        session["id"] = call("POST", "session", auth="Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    except (urllib.error.HTTPError, urllib.error.URLError):
        return None  # no tagging API: vMiner goes on without tags too
    try:
        categories = [call("GET", "tagging/category/id:" + quote(i, safe="")) for i in call("GET", "tagging/category") or []]
        tag_ids = call("GET", "tagging/tag") or []
        tags = [call("GET", "tagging/tag/id:" + quote(i, safe="")) for i in tag_ids]
        attached = []
        for i in range(0, len(tag_ids), 100):
            attached.extend(call("POST", "tagging/tag-association?~action=list-attached-objects-on-tags", {"tag_ids": tag_ids[i:i + 100]}) or [])
        return {"categories": categories, "tags": tags, "attached": attached}
    finally:
        call("DELETE", "session")


LAYOUT_PATHS = ["layoutEx.file", "layoutEx.snapshot", "layoutEx.disk"]


def read_snapshot_layouts(content, vms):
    """As vMiner does: the file layout (snapshot sizes) of the VMs that have snapshots, 200 per call."""
    with_snaps = [v["_moid"] for v in vms if (v.get("snapshot") or {}).get("rootSnapshotList")]
    pc = content.propertyCollector
    out = []
    for i in range(0, len(with_snaps), 200):
        objs = [
            vmodl.query.PropertyCollector.ObjectSpec(obj=vim.VirtualMachine(m, pc._stub), skip=False)
            for m in with_snaps[i:i + 200]
        ]
        prop = vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=LAYOUT_PATHS, all=False)
        spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=objs, propSet=[prop])
        for oc in pc.RetrieveContents([spec]) or []:
            out.append({p.name: to_plain(p.val) for p in oc.propSet or []})
    return out


def collect_vcenter(url, user, password, paths_by_type):
    si = connect(url, user, password)
    try:
        content = si.RetrieveContent()
        inventory = {}
        for type_name, paths in paths_by_type.items():
            inventory[type_name] = retrieve_type(content, type_name, paths, url)
        if content.customFieldsManager:
            inventory["_customFields"] = to_plain(content.customFieldsManager.field)
        inventory["_snapshotLayouts"] = read_snapshot_layouts(content, inventory.get("VirtualMachine", []))
        inventory["_tags"] = read_tags(url, user, password)
        # One view per type: a subtype (a DistributedVirtualPortgroup is also a Network) comes back
        # under both types, so count distinct managed objects, as vMiner's single view does.
        return len({o["_moid"] for t, objects in inventory.items() if not t.startswith("_") for o in objects})
    finally:
        Disconnect(si)


def main(argv):
    ap = argparse.ArgumentParser(description="Reference pyvmomi inventory collector (benchmark)")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--paths-json", required=True, help="JSON file: {type: [property paths]}")
    ap.add_argument("--workers", type=int, default=1, help="concurrent vCenters (ThreadPoolExecutor)")
    ap.add_argument("urls", nargs="+", metavar="URL")
    args = ap.parse_args(argv[1:])

    with open(args.paths_json, encoding="utf-8") as f:
        paths_by_type = json.load(f)
    if not isinstance(paths_by_type, dict):
        ap.error("--paths-json must hold an object {type: [paths]}")
    for type_name, paths in paths_by_type.items():
        if not hasattr(vim, type_name) or type_name not in KNOWN_TYPES:
            ap.error(f"unsupported managed object type in --paths-json: {type_name}")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            ap.error(f"--paths-json: {type_name} must map to a list of strings")

    workers = max(1, args.workers)
    start = time.perf_counter()
    if workers == 1:
        counts = [collect_vcenter(u, args.user, args.password, paths_by_type) for u in args.urls]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            counts = list(
                pool.map(lambda u: collect_vcenter(u, args.user, args.password, paths_by_type), args.urls)
            )
    seconds = time.perf_counter() - start

    out = {"seconds": round(seconds, 4), "objects": sum(counts), "vcenters": len(args.urls)}
    if _unknown:
        out["unknownPaths"] = {k: sorted(v) for k, v in sorted(_unknown.items())}
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
