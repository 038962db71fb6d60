package main

// RVTools-depth fill-ins for the seeded inventory: what the simulator leaves empty and vMiner
// now reads (creation dates, firmware and secure boot, reservations, limits and shares, hot-add,
// CBT, eager-zeroed disks, guest partitions, consolidation, a vApp, custom attributes), and the
// tags served by the vAPI simulator. Drawn from a random stream of its own (seeded from the same
// seed), so the inventory the earlier fill-ins produce stays exactly what it was.

import (
	"context"
	"fmt"
	"math/rand"
	"net/url"
	"strings"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

var owners = []string{"alice", "bob", "carol", "dave", "erin", "frank"}

// fillDepth runs after the other fill-ins; it only sets fields they leave alone.
func (d *diversifier) fillDepth(plans []*vmPlan) error {
	r := rand.New(rand.NewSource(d.o.seed*7919 + 17))
	for _, p := range plans {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		cfg := vm.Config

		created := d.now.Add(-time.Duration(24*(1+r.Intn(1500))) * time.Hour)
		if !p.template && r.Intn(30) == 0 {
			// A VM created this month (questions about creation dates have something to find).
			created = d.now.Add(-time.Duration(1+r.Intn(48)) * time.Hour)
		}
		cfg.CreateDate = &created
		// config.changeVersion, as vCenter keeps it: the time of the last configuration change
		// (the simulator leaves it empty; the watcher in live_updates.go moves it on).
		cfg.ChangeVersion = created.UTC().Format(time.RFC3339Nano)

		efi := r.Intn(100) < 35
		if p.os.windows {
			efi = r.Intn(100) < 80
		}
		if efi {
			cfg.Firmware = "efi"
			secure := r.Intn(10) < 6
			cfg.BootOptions = &types.VirtualMachineBootOptions{EfiSecureBootEnabled: &secure}
		} else {
			cfg.Firmware = "bios"
		}

		reserved := r.Intn(10) == 0
		cpuRes, memRes := int64(0), int64(0)
		if reserved {
			cpuRes = []int64{500, 1000, 2000}[r.Intn(3)]
			memRes = []int64{1024, 2048, 4096}[r.Intn(3)]
		}
		cpuLimit := int64(-1)
		if r.Intn(30) == 0 {
			cpuLimit = []int64{2000, 4000}[r.Intn(2)]
		}
		cpuLevel, memLevel := types.SharesLevelNormal, types.SharesLevelNormal
		if r.Intn(12) == 0 {
			cpuLevel = types.SharesLevelHigh
		}
		cpuShares := int32(1000 * p.cpus)
		if cpuLevel == types.SharesLevelHigh {
			cpuShares *= 2
		}
		cfg.CpuAllocation = &types.ResourceAllocationInfo{
			Reservation: &cpuRes, Limit: &cpuLimit,
			Shares: &types.SharesInfo{Shares: cpuShares, Level: cpuLevel},
		}
		memLimit := int64(-1)
		cfg.MemoryAllocation = &types.ResourceAllocationInfo{
			Reservation: &memRes, Limit: &memLimit,
			Shares: &types.SharesInfo{Shares: int32(10 * p.memMB), Level: memLevel},
		}
		hotCPU, hotMem, cbt := r.Intn(10) < 3, r.Intn(10) < 3, r.Intn(10) < 6
		hotRemove := false
		cfg.CpuHotAddEnabled = &hotCPU
		cfg.CpuHotRemoveEnabled = &hotRemove
		cfg.MemoryHotAddEnabled = &hotMem
		cfg.ChangeTrackingEnabled = &cbt
		consolidate := r.Intn(60) == 0 && p.snapshots == 0
		vm.Runtime.ConsolidationNeeded = &consolidate
		vm.Summary.Runtime.ConsolidationNeeded = &consolidate

		// Some thick disks are eager-zeroed.
		for _, dev := range cfg.Hardware.Device {
			disk, ok := dev.(*types.VirtualDisk)
			if !ok {
				continue
			}
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				eager := b.ThinProvisioned != nil && !*b.ThinProvisioned && r.Intn(4) == 0
				b.EagerlyScrub = &eager
			}
		}

		// Guest partitions: only a running guest with tools reports them.
		vm.Guest.Disk = nil
		if vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
			paths := []string{"/", "/var", "/data"}
			if p.os.windows {
				paths = []string{"C:\\", "D:\\", "E:\\"}
			}
			var disks []types.GuestDiskInfo
			for i, sizeGB := range p.disksGB {
				if i >= len(paths) {
					break
				}
				capacity := sizeGB * gb * 98 / 100
				used := capacity * int64(10+r.Intn(70)) / 100
				if r.Intn(12) == 0 {
					used = capacity * int64(905+r.Intn(90)) / 1000 // over 90 % full
				}
				// No filesystemType (vSphere 7): Debian's pyVmomi, the reference reader, predates it.
				disks = append(disks, types.GuestDiskInfo{
					DiskPath:  paths[i],
					Capacity:  capacity,
					FreeSpace: capacity - used,
				})
			}
			vm.Guest.Disk = disks
		}
	}
	d.addThirdNics(plans)
	d.fillSnapshotFiles(plans)
	if err := d.addVApp(plans); err != nil {
		return err
	}
	return d.setCustomFields(plans, r)
}

// fillSnapshotFiles gives the snapshots files with sizes in layoutEx, as a vCenter reports them
// (the simulator makes empty .vmsn files and no delta disks): a .vmsn of some MB, a .vmem for some,
// and for each disk a delta disk made when the snapshot was taken, so that each snapshot's disks
// are the chain as it was then and the running chain goes on through every delta (RVTools'
// vSnapshot "Size MiB (vmsn)" and "Size MiB (total)"). A random stream of its own.
func (d *diversifier) fillSnapshotFiles(plans []*vmPlan) {
	const mib = int64(1024 * 1024)
	rs := rand.New(rand.NewSource(d.o.seed*4099 + 7))
	for _, p := range plans {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		lx := vm.LayoutEx
		if lx == nil || len(lx.Snapshot) == 0 {
			continue
		}
		next := int32(0)
		for _, f := range lx.File {
			if f.Key >= next {
				next = f.Key + 1
			}
		}
		add := func(name, kind string, size int64) int32 {
			k := next
			next++
			lx.File = append(lx.File, types.VirtualMachineFileLayoutExFileInfo{
				Key: k, Name: name, Type: kind, Size: size, UniqueSize: size, Accessible: types.NewBool(true),
			})
			return k
		}
		setSize := func(key int32, size int64) {
			for i := range lx.File {
				if lx.File[i].Key == key {
					lx.File[i].Size, lx.File[i].UniqueSize = size, size
				}
			}
		}
		dir := vm.Config.Files.VmPathName
		if i := strings.LastIndex(dir, "/"); i >= 0 {
			dir = dir[:i]
		}
		running := make([][]types.VirtualMachineFileLayoutExDiskUnit, len(lx.Disk))
		for j := range lx.Disk {
			running[j] = append([]types.VirtualMachineFileLayoutExDiskUnit{}, lx.Disk[j].Chain...)
		}
		for i := range lx.Snapshot {
			s := &lx.Snapshot[i]
			setSize(s.DataKey, int64(1+rs.Intn(48))*mib)
			if rs.Intn(3) == 0 {
				s.MemoryKey = add(fmt.Sprintf("%s/%s-Snapshot%d.vmem", dir, vm.Name, i+1), "snapshotMemory", int64(p.memMB)*mib)
			}
			disks := make([]types.VirtualMachineFileLayoutExDiskLayout, len(lx.Disk))
			for j := range lx.Disk {
				disks[j] = types.VirtualMachineFileLayoutExDiskLayout{
					Key: lx.Disk[j].Key, Chain: append([]types.VirtualMachineFileLayoutExDiskUnit{}, running[j]...),
				}
			}
			s.Disk = disks
			for j := range running {
				desc := add(fmt.Sprintf("%s/%s_%d-%06d.vmdk", dir, vm.Name, j, i+1), "diskDescriptor", 512)
				ext := add(fmt.Sprintf("%s/%s_%d-%06d-delta.vmdk", dir, vm.Name, j, i+1), "diskExtent", int64(1+rs.Intn(4096))*mib)
				running[j] = append(running[j], types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{desc, ext}})
			}
		}
		for j := range lx.Disk {
			lx.Disk[j].Chain = running[j]
		}
	}
}

// addThirdNics gives a third of the VMs with two NICs a third one, a vmxnet3 on the first NIC's
// network (RVTools vNetwork rows of other adapter types; "vms with more than 2 nics"). It draws
// from a random stream of its own, so the values drawn before it are unchanged.
func (d *diversifier) addThirdNics(plans []*vmPlan) {
	rn := rand.New(rand.NewSource(d.o.seed*6151 + 29))
	for _, p := range plans {
		if len(p.nets) < 2 || rn.Intn(3) != 0 {
			continue
		}
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		var first *types.VirtualEthernetCard
		maxKey := int32(0)
		for _, dev := range vm.Config.Hardware.Device {
			if k := dev.GetVirtualDevice().Key; k > maxKey {
				maxKey = k
			}
			if c, ok := dev.(types.BaseVirtualEthernetCard); ok && first == nil {
				first = c.GetVirtualEthernetCard()
			}
		}
		if first == nil {
			continue
		}
		card := &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: *first}}
		card.Key = maxKey + 1
		label := fmt.Sprintf("Network adapter %d", len(p.nets)+1)
		card.DeviceInfo = &types.Description{Label: label, Summary: label}
		card.MacAddress = fmt.Sprintf("00:50:56:%02x:%02x:%02x", 0x20+rn.Intn(0x1f), rn.Intn(256), rn.Intn(256))
		vm.Config.Hardware.Device = append(vm.Config.Hardware.Device, card)
		vm.Summary.Config.NumEthernetCards++
	}
}

// addVApp puts two VMs of the first cluster into a vApp (RVTools' vInfo "vApp" column).
func (d *diversifier) addVApp(plans []*vmPlan) error {
	var members []*vmPlan
	var ci *computeInfo
	for _, p := range plans {
		if p.template || p.compute.cluster == nil {
			continue
		}
		if ci == nil {
			ci = p.compute
		}
		if p.compute == ci && len(members) < 2 {
			members = append(members, p)
		}
	}
	if ci == nil || len(members) == 0 {
		return nil
	}
	pool := simulator.Map.Get(ci.pool).(*simulator.ResourcePool)
	res, err := d.createVApp(pool, ci, d.prefixed("vapp-crm"))
	if err != nil {
		return err
	}
	vapp := simulator.Map.Get(res).(*simulator.VirtualApp)
	for _, p := range members {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		old := simulator.Map.Get(*vm.ResourcePool).(*simulator.ResourcePool)
		for i, ref := range old.Vm {
			if ref == p.vmRef {
				old.Vm = append(old.Vm[:i], old.Vm[i+1:]...)
				break
			}
		}
		vapp.Vm = append(vapp.Vm, p.vmRef)
		ref := vapp.Self
		vm.ResourcePool = &ref
		vm.ParentVApp = &ref
	}
	return nil
}

func (d *diversifier) createVApp(pool *simulator.ResourcePool, _ *computeInfo, name string) (types.ManagedObjectReference, error) {
	alloc := func() types.ResourceAllocationInfo {
		res, limit, expandable := int64(0), int64(-1), true
		return types.ResourceAllocationInfo{
			Reservation: &res, Limit: &limit, ExpandableReservation: &expandable,
			Shares: &types.SharesInfo{Level: types.SharesLevelNormal},
		}
	}
	res, err := methods.CreateVApp(d.ctx, d.c, &types.CreateVApp{
		This:       pool.Self,
		Name:       name,
		ResSpec:    types.ResourceConfigSpec{CpuAllocation: alloc(), MemoryAllocation: alloc()},
		ConfigSpec: types.VAppConfigSpec{Annotation: "CRM front end and worker"},
	})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("CreateVApp %s: %w", name, err)
	}
	return res.Returnval, nil
}

// setCustomFields defines custom attributes (owner, cost-center for VMs; rack-location for hosts)
// and sets them on some objects through the CustomFieldsManager, as an admin would.
func (d *diversifier) setCustomFields(plans []*vmPlan, r *rand.Rand) error {
	m := object.NewCustomFieldsManager(d.c)
	owner, err := m.Add(d.ctx, "owner", "VirtualMachine", nil, nil)
	if err != nil {
		return fmt.Errorf("custom field owner: %w", err)
	}
	cost, err := m.Add(d.ctx, "cost-center", "VirtualMachine", nil, nil)
	if err != nil {
		return fmt.Errorf("custom field cost-center: %w", err)
	}
	rack, err := m.Add(d.ctx, "rack-location", "HostSystem", nil, nil)
	if err != nil {
		return fmt.Errorf("custom field rack-location: %w", err)
	}
	for _, p := range plans {
		if p.template {
			continue
		}
		if r.Intn(10) < 6 {
			if err := m.Set(d.ctx, p.vmRef, owner.Key, owners[r.Intn(len(owners))]); err != nil {
				return err
			}
		}
		if r.Intn(10) < 4 {
			if err := m.Set(d.ctx, p.vmRef, cost.Key, fmt.Sprintf("CC-%s", p.role.name)); err != nil {
				return err
			}
		}
	}
	for _, e := range simulator.Map.All("HostSystem") {
		h := e.(*simulator.HostSystem)
		if err := m.Set(d.ctx, h.Self, rack.Key, fmt.Sprintf("row-%d/rack-%02d", 1+r.Intn(4), 1+r.Intn(20))); err != nil {
			return err
		}
	}
	return nil
}

// seedTags creates tag categories and tags through the vAPI simulator's REST API (as an admin
// would) and attaches them to VMs and hosts. Runs once the server is listening.
func seedTags(ctx context.Context, server *url.URL, seed int64, plans []*vmPlan) error {
	u := *server
	c, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		return fmt.Errorf("tags: vim client: %w", err)
	}
	defer func() { _ = c.Logout(ctx) }()
	rc := rest.NewClient(c.Client)
	if err := rc.Login(ctx, server.User); err != nil {
		return fmt.Errorf("tags: rest login: %w", err)
	}
	defer func() { _ = rc.Logout(ctx) }()
	m := tags.NewManager(rc)
	category := func(name, desc string, types ...string) (string, error) {
		return m.CreateCategory(ctx, &tags.Category{Name: name, Description: desc, Cardinality: "SINGLE", AssociableTypes: types})
	}
	tag := func(cat, name string) (string, error) {
		return m.CreateTag(ctx, &tags.Tag{Name: name, CategoryID: cat})
	}
	backup, err := category("backup", "Backup tier", "VirtualMachine")
	if err != nil {
		return err
	}
	envCat, err := category("environment", "", "VirtualMachine")
	if err != nil {
		return err
	}
	rackCat, err := category("rack", "", "HostSystem")
	if err != nil {
		return err
	}
	var tiers, envs, racks []string
	for _, n := range []string{"gold", "silver", "bronze"} {
		id, err := tag(backup, n)
		if err != nil {
			return err
		}
		tiers = append(tiers, id)
	}
	for _, n := range []string{"production", "development", "test"} {
		id, err := tag(envCat, n)
		if err != nil {
			return err
		}
		envs = append(envs, id)
	}
	for _, n := range []string{"r01", "r02", "r03"} {
		id, err := tag(rackCat, n)
		if err != nil {
			return err
		}
		racks = append(racks, id)
	}
	r := rand.New(rand.NewSource(seed*104729 + 3))
	for _, p := range plans {
		if p.template {
			continue
		}
		if r.Intn(10) < 6 {
			if err := m.AttachTag(ctx, tiers[r.Intn(len(tiers))], p.vmRef); err != nil {
				return err
			}
		}
		if r.Intn(10) < 5 {
			env := envs[r.Intn(len(envs))]
			if p.env == "prd" {
				env = envs[0]
			}
			if err := m.AttachTag(ctx, env, p.vmRef); err != nil {
				return err
			}
		}
	}
	for _, e := range simulator.Map.All("HostSystem") {
		if err := m.AttachTag(ctx, racks[r.Intn(len(racks))], e.(mo.Reference).Reference()); err != nil {
			return err
		}
	}
	return nil
}
