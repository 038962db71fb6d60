package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// emitMissingUpdates makes the simulator report the property changes a real vCenter reports but
// govmomi 0.24.2 does not: EnterMaintenanceMode/ExitMaintenanceMode set the host's runtime and
// ReconfigVM_Task the VM's config without a property update, and VMs created, moved or destroyed
// change the `vm` lists of hosts, datastores and networks (and datastore free space) silently. Every `every` it compares those properties with what it saw last and
// announces the differences through the registry, so WaitForUpdatesEx streams them like vCenter.
func emitMissingUpdates(every time.Duration) {
	seen := map[types.ManagedObjectReference]string{}
	// Objects that left are forgotten, so a later object with the same id starts fresh.
	alive := map[types.ManagedObjectReference]bool{}
	for range time.Tick(every) {
		for _, kind := range []string{"VirtualMachine", "HostSystem", "Datastore", "Network", "DistributedVirtualPortgroup"} {
			for _, e := range simulator.Map.All(kind) {
				ref := e.Reference()
				alive[ref] = true
				var changes []types.PropertyChange
				var print string
				simulator.Map.WithLock(e, func() {
					changes, print = watchedProperties(e)
				})
				if changes == nil {
					continue
				}
				last, known := seen[ref]
				seen[ref] = print
				if known && last != print {
					// A VM's configuration changed: vCenter moves config.changeVersion on with it.
					if vm, ok := e.(*simulator.VirtualMachine); ok && vm.Config != nil {
						simulator.Map.WithLock(e, func() {
							vm.Config.ChangeVersion = time.Now().UTC().Format(time.RFC3339Nano)
						})
						changes = append(changes, types.PropertyChange{Name: "config.changeVersion", Val: vm.Config.ChangeVersion})
					}
					simulator.Map.Update(e, changes)
				}
			}
		}
		for ref := range seen {
			if !alive[ref] {
				delete(seen, ref)
			}
		}
		alive = map[types.ManagedObjectReference]bool{}
	}
}

func customValuesPrint(values []types.BaseCustomFieldValue) string {
	out := ""
	for _, v := range values {
		if s, ok := v.(*types.CustomFieldStringValue); ok {
			out += fmt.Sprintf("%d=%s;", s.Key, s.Value)
		}
	}
	return out
}

// devicesPrint is a fingerprint of the device fields vMiner reads (disks, NICs), cheap enough to
// take for every VM ten times a second.
func devicesPrint(devices []types.BaseVirtualDevice) string {
	var b strings.Builder
	for _, d := range devices {
		switch x := d.(type) {
		case *types.VirtualDisk:
			b.WriteString(strconv.Itoa(int(x.Key)))
			b.WriteByte('/')
			b.WriteString(strconv.FormatInt(x.CapacityInBytes, 10))
			if f, ok := x.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				b.WriteString(f.FileName)
				if f.ThinProvisioned != nil && *f.ThinProvisioned {
					b.WriteByte('t')
				}
				if f.EagerlyScrub != nil && *f.EagerlyScrub {
					b.WriteByte('e')
				}
			}
			b.WriteByte(';')
		case types.BaseVirtualEthernetCard:
			c := x.GetVirtualEthernetCard()
			b.WriteString(strconv.Itoa(int(c.Key)))
			b.WriteString(c.MacAddress)
			if c.Connectable != nil && c.Connectable.Connected {
				b.WriteByte('c')
			}
			switch bk := c.Backing.(type) {
			case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
				b.WriteString(bk.Port.PortgroupKey)
			case *types.VirtualEthernetCardNetworkBackingInfo:
				b.WriteString(bk.DeviceName)
			}
			b.WriteByte(';')
		}
	}
	return b.String()
}

// configPrint is a fingerprint of the configuration vMiner reads apart with the devices: guest OS,
// hardware version, UUIDs, firmware, secure boot, CPU and memory allocation, hot-add flags
// (creation date never changes).
func configPrint(c *types.VirtualMachineConfigInfo) string {
	i64 := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	}
	flag := func(p *bool) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatBool(*p)
	}
	alloc := func(a *types.ResourceAllocationInfo) string {
		if a == nil {
			return "-"
		}
		out := i64(a.Reservation) + "/" + i64(a.Limit)
		if a.Shares != nil {
			out += "/" + strconv.Itoa(int(a.Shares.Shares)) + string(a.Shares.Level)
		}
		return out
	}
	secure := "-"
	if c.BootOptions != nil {
		secure = flag(c.BootOptions.EfiSecureBootEnabled)
	}
	return fmt.Sprint(c.GuestId, c.GuestFullName, c.Version, c.Uuid, c.InstanceUuid, c.Firmware, secure,
		alloc(c.CpuAllocation), alloc(c.MemoryAllocation), flag(c.CpuHotAddEnabled), flag(c.MemoryHotAddEnabled))
}

// watchedProperties returns the watched properties of one object and a fingerprint of them.
func watchedProperties(e mo.Entity) ([]types.PropertyChange, string) {
	refs := func(r []types.ManagedObjectReference) []types.ManagedObjectReference {
		return append([]types.ManagedObjectReference{}, r...)
	}
	switch o := e.(type) {
	case *simulator.VirtualMachine:
		if o.Config == nil {
			return nil, ""
		}
		h := o.Config.Hardware
		changes := []types.PropertyChange{
			{Name: "config.hardware.numCPU", Val: h.NumCPU},
			{Name: "config.hardware.numCoresPerSocket", Val: h.NumCoresPerSocket},
			{Name: "config.hardware.memoryMB", Val: h.MemoryMB},
			{Name: "config.annotation", Val: o.Config.Annotation},
			{Name: "config.template", Val: o.Config.Template},
		}
		print := fmt.Sprint(h.NumCPU, h.NumCoresPerSocket, h.MemoryMB, o.Config.Annotation, o.Config.Template)
		if s := o.Summary.Storage; s != nil {
			changes = append(changes,
				types.PropertyChange{Name: "summary.storage.committed", Val: s.Committed},
				types.PropertyChange{Name: "summary.storage.uncommitted", Val: s.Uncommitted})
			print += fmt.Sprint(s.Committed, s.Uncommitted)
		}
		if o.Runtime.Host != nil {
			changes = append(changes, types.PropertyChange{Name: "runtime.host", Val: *o.Runtime.Host})
			print += o.Runtime.Host.Value
		}
		// Devices: ReconfigVM_Task adds or removes them silently, and a clone shares its source's
		// disk backings, so the source's disk file names change with the clone's.
		changes = append(changes, types.PropertyChange{Name: "config.hardware.device", Val: h.Device})
		print += devicesPrint(h.Device)
		// The configuration vMiner reads with the devices (VERSIONED_VM_PATHS in properties.ts):
		// only its change moves config.changeVersion here; vCenter streams the paths themselves.
		print += configPrint(o.Config)
		// CustomFieldsManager.SetField changes customValue silently.
		changes = append(changes, types.PropertyChange{Name: "customValue", Val: o.CustomValue})
		print += customValuesPrint(o.CustomValue)
		return changes, print
	case *simulator.HostSystem:
		vms := refs(o.Vm)
		return []types.PropertyChange{
			{Name: "vm", Val: vms},
			{Name: "runtime.inMaintenanceMode", Val: o.Runtime.InMaintenanceMode},
			{Name: "customValue", Val: o.CustomValue},
		}, fmt.Sprint(vms, o.Runtime.InMaintenanceMode) + customValuesPrint(o.CustomValue)
	case *simulator.Datastore:
		vms := refs(o.Vm)
		sum := o.Summary
		return []types.PropertyChange{{Name: "vm", Val: vms}, {Name: "summary", Val: sum}},
			fmt.Sprint(vms, sum.Capacity, sum.FreeSpace, sum.Uncommitted, sum.Accessible, sum.MaintenanceMode)
	case *mo.Network:
		vms := refs(o.Vm)
		return []types.PropertyChange{{Name: "vm", Val: vms}}, fmt.Sprint(vms)
	case *simulator.DistributedVirtualPortgroup:
		vms := refs(o.Vm)
		return []types.PropertyChange{{Name: "vm", Val: vms}}, fmt.Sprint(vms)
	}
	return nil, ""
}
