package main

// Seeded diversification of the simulator inventory. Everything here runs in-process before the
// server starts serving. The model is created with Machine = 0; this file renames the model's
// datacenters, clusters, hosts, datastores and portgroups, creates the VMs through the
// simulator's own API (so file paths, UUIDs, devices, datastore and host links are consistent),
// drives power state / templates / snapshots through the API too, and then fills fields the
// simulator leaves empty (guest info, tools, storage, quick stats, host hardware, capacities,
// cluster DRS/HA) directly on the managed objects.

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	kb = int64(1024)
	mb = 1024 * kb
	gb = 1024 * mb
	tb = 1024 * gb
)

type guestOS struct {
	id       string
	fullName string
	windows  bool
	short    string
}

var guestOSes = []guestOS{
	{"windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)", true, "win2019"},
	{"windows2019srvNext_64Guest", "Microsoft Windows Server 2022 (64-bit)", true, "win2022"},
	{"windows9Server64Guest", "Microsoft Windows Server 2016 or later (64-bit)", true, "win2016"},
	{"ubuntu64Guest", "Ubuntu Linux (64-bit)", false, "ubuntu"},
	{"rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)", false, "rhel8"},
	{"sles15_64Guest", "SUSE Linux Enterprise 15 (64-bit)", false, "sles15"},
	{"vmwarePhoton64Guest", "VMware Photon OS (64-bit)", false, "photon"},
	{"centos7_64Guest", "CentOS 7 (64-bit)", false, "centos7"},
	{"otherLinux64Guest", "Other Linux (64-bit)", false, "linux"},
}

type role struct {
	name    string
	weight  int
	oses    []int // indexes into guestOSes
	cpus    []int32
	memMB   []int64
	dataGB  []int64 // extra data disk sizes; empty = no data disk
	windows bool
}

var roles = []role{
	{"web", 14, []int{3, 3, 4, 7, 8}, []int32{1, 2, 2, 4}, []int64{2048, 4096, 4096, 8192}, []int64{20, 50}, false},
	{"app", 16, []int{3, 4, 4, 5, 1, 0}, []int32{2, 4, 4, 8}, []int64{4096, 8192, 16384}, []int64{50, 100, 200}, false},
	{"sql", 6, []int{0, 1, 1, 0}, []int32{4, 8, 8, 16}, []int64{16384, 32768, 65536, 131072}, []int64{200, 500, 1000, 2000}, true},
	{"db", 5, []int{4, 4, 5, 3}, []int32{4, 8, 16}, []int64{16384, 32768, 65536}, []int64{250, 500, 1000}, false},
	{"dc", 3, []int{0, 1, 2}, []int32{2, 2, 4}, []int64{4096, 8192}, nil, true},
	{"file", 3, []int{0, 1, 2}, []int32{2, 4}, []int64{4096, 8192}, []int64{1000, 2000}, true},
	{"k8s", 10, []int{3, 6, 6, 3}, []int32{4, 8, 8, 16}, []int64{16384, 32768, 65536}, []int64{100}, false},
	{"cache", 4, []int{3, 4, 8}, []int32{2, 4}, []int64{8192, 16384, 32768}, nil, false},
	{"mq", 3, []int{3, 4, 5}, []int32{2, 4}, []int64{4096, 8192}, []int64{100}, false},
	{"proxy", 3, []int{3, 7, 8}, []int32{1, 2}, []int64{1024, 2048}, nil, false},
	{"mon", 3, []int{3, 4, 6}, []int32{2, 4}, []int64{8192, 16384}, []int64{200, 500}, false},
	{"log", 3, []int{3, 4, 5}, []int32{4, 8}, []int64{16384, 32768}, []int64{500, 1000}, false},
	{"ci", 3, []int{3, 7, 6}, []int32{4, 8}, []int64{8192, 16384}, []int64{100, 200}, false},
	{"jump", 2, []int{0, 1, 3}, []int32{1, 2}, []int64{2048, 4096}, nil, false},
	{"rds", 3, []int{0, 1}, []int32{4, 8}, []int64{16384, 32768}, []int64{100}, true},
	{"bkp", 2, []int{0, 4, 5}, []int32{2, 4}, []int64{8192, 16384}, []int64{2000}, false},
}

var envNames = []string{"prd", "dev", "tst", "stg", "uat"}
var envWeights = []int{45, 20, 15, 10, 10}

var clusterNames = []string{
	"Prod-A", "Prod-B", "Dev", "Test", "DMZ", "Mgmt", "Prod-C", "Staging", "VDI", "Edge", "UAT", "Lab",
	"Backup", "Prod-D", "Batch", "Analytics",
}

var datacenterNames = []string{
	"Frankfurt", "Amsterdam", "London", "Paris", "Dublin", "Madrid", "Milan", "Stockholm", "Zurich", "Vienna",
	"Warsaw", "Prague", "NewYork", "Chicago", "Dallas", "Seattle", "Toronto", "Singapore", "Tokyo", "Sydney",
}

var siteCodes = []string{"fra", "ams", "lon", "par", "dub", "mad", "mil", "sto", "zrh", "vie", "waw", "prg",
	"nyc", "chi", "dal", "sea", "yyz", "sin", "tyo", "syd"}

type hostProfile struct {
	vendor, model, cpuModel string
	pkgs, cores, threads    int16
	mhz                     int32
	memGB                   int64
	nics, hbas              int32
}

var hostProfiles = []hostProfile{
	{"Dell Inc.", "PowerEdge R740", "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 2, 48, 96, 2993, 768, 4, 2},
	{"Dell Inc.", "PowerEdge R650", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 2, 64, 128, 1995, 1024, 4, 2},
	{"HPE", "ProLiant DL380 Gen10", "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", 2, 40, 80, 2095, 512, 4, 2},
	{"HPE", "ProLiant DL360 Gen10 Plus", "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", 2, 32, 64, 2394, 384, 2, 2},
	{"Lenovo", "ThinkSystem SR650", "Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz", 2, 32, 64, 2294, 256, 4, 2},
	{"Cisco Systems Inc", "UCSC-C220-M5SX", "Intel(R) Xeon(R) Gold 6132 CPU @ 2.60GHz", 2, 28, 56, 2594, 512, 2, 2},
	{"Supermicro", "SYS-2029U-TR4", "AMD EPYC 7543 32-Core Processor", 2, 64, 128, 2794, 1024, 4, 1},
	{"Dell Inc.", "PowerEdge R640", "Intel(R) Xeon(R) Gold 6140 CPU @ 2.30GHz", 2, 36, 72, 2294, 384, 4, 2},
}

type esxiVersion struct{ version, build string }

var esxiVersions = []esxiVersion{{"7.0.3", "21930508"}, {"8.0.2", "22380479"}, {"7.0.3", "20328353"}, {"8.0.1", "21495797"}}

var annotations = []string{
	"Owner: team-%s\nTicket: CHG-%05d",
	"Managed by Terraform (workspace %s-%d)",
	"Do not power off - legacy application (%s, contact x%d)",
	"Backup: daily 02:00, retention 30d\nOwner: %s-ops #%d",
	"Migrated from old cluster %s in batch %d",
	"Patch group %s-%d",
}

var teamNames = []string{"payments", "web", "data", "infra", "sre", "erp", "crm", "hr", "ops", "platform"}

var snapshotNames = []string{
	"before-patch", "pre-upgrade", "baseline", "before-app-deploy", "VEEAM BACKUP TEMPORARY SNAPSHOT",
	"clean-install", "pre-change CHG", "before-kernel-update", "golden", "test",
}

// ---------------------------------------------------------------------------------------------

type computeInfo struct {
	cluster    *simulator.ClusterComputeResource // nil for a standalone host
	standalone *mo.ComputeResource
	origName   string
	pool       types.ManagedObjectReference
	hosts      []*simulator.HostSystem
	env        string
}

type dcInfo struct {
	index      int
	dc         *simulator.Datacenter
	origName   string
	datastores []*simulator.Datastore
	portgroups []*simulator.DistributedVirtualPortgroup
	uplinks    []*simulator.DistributedVirtualPortgroup
	vlans      []int
	dvs        *simulator.DistributedVirtualSwitch
	vmNetwork  *mo.Network
	computes   []*computeInfo
}

type vmPlan struct {
	name      string
	role      role
	env       string
	os        guestOS
	dc        *dcInfo
	compute   *computeInfo
	host      *simulator.HostSystem
	ds        *simulator.Datastore
	nets      []int // indexes into dc.portgroups (or -1 for "VM Network")
	cpus      int32
	cores     int32
	memMB     int64
	disksGB   []int64
	thin      []bool
	power     types.VirtualMachinePowerState
	template  bool
	annot     string
	snapshots int
	tools     string // ok, old, notRunning, notInstalled
	ip        bool
	vmRef     types.ManagedObjectReference
}

type diversifier struct {
	ctx  context.Context
	c    *vim25.Client
	o    *options
	r    *rand.Rand
	now  time.Time
	dcs  []*dcInfo
	site string
	dom  string
}

func diversify(ctx context.Context, c *vim25.Client, o *options) ([]*vmPlan, error) {
	// Guest ids newer than the simulator's validation list (0.24.2).
	for _, g := range guestOSes {
		known := false
		for _, id := range simulator.GuestID {
			if string(id) == g.id {
				known = true
			}
		}
		if !known {
			simulator.GuestID = append(simulator.GuestID, types.VirtualMachineGuestOsIdentifier(g.id))
		}
	}

	d := &diversifier{ctx: ctx, c: c, o: o, r: rand.New(rand.NewSource(o.seed)), now: time.Now()}
	d.site = siteCodes[d.r.Intn(len(siteCodes))]
	if o.namePrefix != "" {
		d.dom = strings.ToLower(o.namePrefix) + ".lab"
	} else {
		d.dom = d.site + ".lab"
	}

	d.collect()
	d.renameInfrastructure()
	plans := d.planVMs()
	if err := d.createVMs(plans); err != nil {
		return nil, err
	}
	d.fillVMs(plans)
	d.fillHostsAndClusters(plans)
	d.fillDatastores(plans)
	d.fillNetworks(plans)
	if err := d.fillDepth(plans); err != nil {
		return nil, err
	}
	return plans, nil
}

// ---------------------------------------------------------------------------------------------
// inventory discovery

func parentDatacenter(e mo.Entity) *simulator.Datacenter {
	for {
		p := e.Entity().Parent
		if p == nil {
			return nil
		}
		obj := simulator.Map.Get(*p)
		if dc, ok := obj.(*simulator.Datacenter); ok {
			return dc
		}
		pe, ok := obj.(mo.Entity)
		if !ok {
			return nil
		}
		e = pe
	}
}

func (d *diversifier) collect() {
	var dcs []*simulator.Datacenter
	for _, e := range simulator.Map.All("Datacenter") {
		dcs = append(dcs, e.(*simulator.Datacenter))
	}
	sort.Slice(dcs, func(i, j int) bool { return natLess(dcs[i].Name, dcs[j].Name) })
	byDC := map[types.ManagedObjectReference]*dcInfo{}
	for i, dc := range dcs {
		info := &dcInfo{index: i, dc: dc, origName: dc.Name}
		d.dcs = append(d.dcs, info)
		byDC[dc.Self] = info
	}

	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		if info := byDC[parentDatacenter(ds).Self]; info != nil {
			info.datastores = append(info.datastores, ds)
		}
	}
	for _, e := range simulator.Map.All("DistributedVirtualSwitch") {
		dvs := e.(*simulator.DistributedVirtualSwitch)
		if info := byDC[parentDatacenter(dvs).Self]; info != nil {
			info.dvs = dvs
		}
	}
	for _, e := range simulator.Map.All("VmwareDistributedVirtualSwitch") {
		dvs := e.(*simulator.DistributedVirtualSwitch)
		if info := byDC[parentDatacenter(dvs).Self]; info != nil {
			info.dvs = dvs
		}
	}
	for _, e := range simulator.Map.All("DistributedVirtualPortgroup") {
		pg := e.(*simulator.DistributedVirtualPortgroup)
		info := byDC[parentDatacenter(pg).Self]
		switch {
		case info == nil:
		case strings.HasPrefix(pg.Name, info.origName+"_DVPG"):
			info.portgroups = append(info.portgroups, pg)
		case strings.Contains(pg.Name, "-DVUplinks"):
			info.uplinks = append(info.uplinks, pg)
		}
	}
	for _, e := range simulator.Map.All("Network") {
		n, ok := e.(*mo.Network)
		if !ok {
			continue
		}
		if info := byDC[parentDatacenter(n).Self]; info != nil && n.Name == "VM Network" {
			info.vmNetwork = n
		}
	}

	computes := map[types.ManagedObjectReference]*computeInfo{}
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		cl := e.(*simulator.ClusterComputeResource)
		ci := &computeInfo{cluster: cl, origName: cl.Name, pool: *cl.ResourcePool}
		computes[cl.Self] = ci
		byDC[parentDatacenter(cl).Self].computes = append(byDC[parentDatacenter(cl).Self].computes, ci)
	}
	for _, e := range simulator.Map.All("ComputeResource") {
		cr, ok := e.(*mo.ComputeResource)
		if !ok {
			continue
		}
		ci := &computeInfo{standalone: cr, origName: cr.Name, pool: *cr.ResourcePool}
		computes[cr.Self] = ci
		byDC[parentDatacenter(cr).Self].computes = append(byDC[parentDatacenter(cr).Self].computes, ci)
	}
	for _, e := range simulator.Map.All("HostSystem") {
		h := e.(*simulator.HostSystem)
		if ci := computes[*h.Parent]; ci != nil {
			ci.hosts = append(ci.hosts, h)
		}
	}

	for _, info := range d.dcs {
		sort.Slice(info.datastores, func(i, j int) bool { return natLess(info.datastores[i].Name, info.datastores[j].Name) })
		sort.Slice(info.portgroups, func(i, j int) bool { return natLess(info.portgroups[i].Name, info.portgroups[j].Name) })
		sort.Slice(info.computes, func(i, j int) bool {
			a, b := info.computes[i], info.computes[j]
			if (a.cluster == nil) != (b.cluster == nil) {
				return a.cluster != nil // clusters first
			}
			return natLess(a.origName, b.origName)
		})
		for _, ci := range info.computes {
			sort.Slice(ci.hosts, func(i, j int) bool { return natLess(ci.hosts[i].Name, ci.hosts[j].Name) })
		}
	}
}

// natLess compares strings with embedded numbers numerically ("H2" < "H10").
func natLess(a, b string) bool {
	for a != "" && b != "" {
		ad, bd := digitsPrefix(a), digitsPrefix(b)
		if ad != "" && bd != "" {
			if len(strings.TrimLeft(ad, "0")) != len(strings.TrimLeft(bd, "0")) {
				return len(strings.TrimLeft(ad, "0")) < len(strings.TrimLeft(bd, "0"))
			}
			if strings.TrimLeft(ad, "0") != strings.TrimLeft(bd, "0") {
				return strings.TrimLeft(ad, "0") < strings.TrimLeft(bd, "0")
			}
			a, b = a[len(ad):], b[len(bd):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// ---------------------------------------------------------------------------------------------
// renames (before VMs exist, so datastore names end up in the VM file paths)

func (d *diversifier) prefixed(s string) string {
	if d.o.namePrefix == "" {
		return s
	}
	return d.o.namePrefix + "-" + s
}

func (d *diversifier) renameInfrastructure() {
	r := d.r
	dcNames := append([]string(nil), datacenterNames...)
	r.Shuffle(len(dcNames), func(i, j int) { dcNames[i], dcNames[j] = dcNames[j], dcNames[i] })
	clNames := append([]string(nil), clusterNames...)
	r.Shuffle(len(clNames), func(i, j int) { clNames[i], clNames[j] = clNames[j], clNames[i] })

	hostNo, clusterNo, dsNo, vlan := 0, 0, 0, 100+10*r.Intn(20)
	dsKindNo := map[string]int{}
	for _, info := range d.dcs {
		name := dcNames[info.index%len(dcNames)]
		if info.index >= len(dcNames) {
			name = fmt.Sprintf("%s-%d", name, info.index/len(dcNames)+1)
		}
		info.dc.Name = name

		if info.dvs != nil {
			info.dvs.Name = fmt.Sprintf("dvs-%s-%02d", strings.ToLower(name), 1)
			info.dvs.Summary.Name = info.dvs.Name
			if cfg := info.dvs.Config; cfg != nil {
				cfg.GetDVSConfigInfo().Name = info.dvs.Name
			}
		}
		for i, pg := range info.uplinks {
			if info.dvs == nil {
				break
			}
			old := pg.Name
			pg.Name = fmt.Sprintf("%s-DVUplinks", info.dvs.Name)
			if i > 0 {
				pg.Name = fmt.Sprintf("%s-DVUplinks-%d", info.dvs.Name, i+1)
			}
			pg.Config.Name = pg.Name
			for k, n := range info.dvs.Summary.PortgroupName {
				if n == old {
					info.dvs.Summary.PortgroupName[k] = pg.Name
				}
			}
		}
		purposes := []string{"Prod-Web", "Prod-App", "Prod-DB", "Dev", "Test", "DMZ", "Mgmt", "Backup", "Storage", "VDI"}
		for i, pg := range info.portgroups {
			vlan += 1 + r.Intn(9)
			old := pg.Name
			pg.Name = fmt.Sprintf("VLAN-%d-%s", vlan, purposes[(i+info.index)%len(purposes)])
			pg.Config.Name = pg.Name
			info.vlans = append(info.vlans, vlan)
			if info.dvs != nil {
				for k, n := range info.dvs.Summary.PortgroupName {
					if n == old {
						info.dvs.Summary.PortgroupName[k] = pg.Name
					}
				}
			}
		}

		for _, ds := range info.datastores {
			dsNo++
			var kind string
			switch x := r.Intn(10); {
			case x < 3:
				kind = "ds-ssd"
			case x < 5:
				kind = "ds-nvme"
			case x < 7:
				kind = "ds-sas"
			default:
				kind = "nfs-vol"
			}
			dsKindNo[kind]++
			newName := fmt.Sprintf("%s-%02d", kind, dsKindNo[kind])
			ds.Name = newName
			ds.Summary.Name = newName
			ds.Info.GetDatastoreInfo().Name = newName
		}

		for _, ci := range info.computes {
			if ci.cluster != nil {
				name := clNames[clusterNo%len(clNames)]
				if clusterNo >= len(clNames) {
					name = fmt.Sprintf("%s-%d", name, clusterNo/len(clNames)+1)
				}
				clusterNo++
				ci.cluster.Name = d.prefixed(name)
				ci.env = envForCluster(name)
			} else {
				ci.env = ""
			}
			for _, h := range ci.hosts {
				hostNo++
				hn := fmt.Sprintf("esx%02d.%s", hostNo, d.dom)
				h.Name = hn
				h.Summary.Config.Name = hn
				id := stableUUID("host/" + hn)
				h.Summary.Hardware.Uuid = id
				h.Hardware.SystemInfo.Uuid = id
				if ci.standalone != nil {
					ci.standalone.Name = hn
				}
			}
		}
	}
}

func envForCluster(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasPrefix(n, "prod"), strings.HasPrefix(n, "dmz"), strings.HasPrefix(n, "vdi"),
		strings.HasPrefix(n, "edge"), strings.HasPrefix(n, "batch"), strings.HasPrefix(n, "analytics"),
		strings.HasPrefix(n, "mgmt"), strings.HasPrefix(n, "backup"):
		return "prd"
	case strings.HasPrefix(n, "dev"), strings.HasPrefix(n, "lab"):
		return "dev"
	case strings.HasPrefix(n, "test"):
		return "tst"
	case strings.HasPrefix(n, "staging"):
		return "stg"
	case strings.HasPrefix(n, "uat"):
		return "uat"
	}
	return ""
}

// ---------------------------------------------------------------------------------------------
// planning

func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.Intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (d *diversifier) planVMs() []*vmPlan {
	r := d.r
	n := d.o.vms
	if n == 0 {
		return nil
	}

	// Hosts: choose one maintenance host (in a cluster of >= 3 hosts) and, for bigger
	// inventories, one disconnected host; VMs go to the other hosts, weighted.
	type slot struct {
		dc     *dcInfo
		ci     *computeInfo
		host   *simulator.HostSystem
		weight int
	}
	var slots []slot
	maintenanceDone := false
	totalHosts := len(simulator.Map.All("HostSystem"))
	disconnectDone := totalHosts < 6
	for _, info := range d.dcs {
		for _, ci := range info.computes {
			for i, h := range ci.hosts {
				if !maintenanceDone && ci.cluster != nil && len(ci.hosts) >= 3 && i == len(ci.hosts)-1 {
					h.Runtime.InMaintenanceMode = true
					maintenanceDone = true
					continue // evacuated: no VMs
				}
				if !disconnectDone && ci.cluster != nil && len(ci.hosts) >= 3 && i == 0 && maintenanceDone {
					h.Runtime.ConnectionState = types.HostSystemConnectionStateDisconnected
					disconnectDone = true
				}
				slots = append(slots, slot{info, ci, h, 5 + r.Intn(11)})
			}
		}
	}
	if len(slots) == 0 {
		return nil
	}
	slotWeights := make([]int, len(slots))
	for i, s := range slots {
		slotWeights[i] = s.weight
	}

	// Datastores: one datastore (the last one of the first datacenter with >= 3) stays empty.
	emptyDS := map[*simulator.Datastore]bool{}
	for _, info := range d.dcs {
		if len(info.datastores) >= 3 {
			ds := info.datastores[len(info.datastores)-1]
			emptyDS[ds] = true
			ds.Name = "nfs-iso-01"
			ds.Summary.Name = ds.Name
			ds.Info.GetDatastoreInfo().Name = ds.Name
			break
		}
	}
	dsWeights := map[*dcInfo][]int{}
	for _, info := range d.dcs {
		w := make([]int, len(info.datastores))
		for i, ds := range info.datastores {
			if !emptyDS[ds] {
				w[i] = 2 + r.Intn(9)
			}
		}
		dsWeights[info] = w
	}

	roleWeights := make([]int, len(roles))
	for i, ro := range roles {
		roleWeights[i] = ro.weight
	}
	counters := map[string]int{}
	templates := 0
	if n >= 20 {
		templates = 1 + n/60
		if templates > 12 {
			templates = 12
		}
	}

	plans := make([]*vmPlan, 0, n)
	for i := 0; i < n; i++ {
		p := &vmPlan{}
		s := slots[pickWeighted(r, slotWeights)]
		p.dc, p.compute, p.host = s.dc, s.ci, s.host
		if w := dsWeights[p.dc]; sum(w) > 0 {
			p.ds = p.dc.datastores[pickWeighted(r, w)]
		} else {
			p.ds = p.dc.datastores[0]
		}

		p.role = roles[pickWeighted(r, roleWeights)]
		p.os = guestOSes[p.role.oses[r.Intn(len(p.role.oses))]]
		p.env = envNames[pickWeighted(r, envWeights)]
		if p.compute.env != "" && r.Intn(10) < 8 {
			p.env = p.compute.env
		}

		if i < templates {
			p.template = true
			p.os = guestOSes[i%len(guestOSes)]
			key := "tpl-" + p.os.short
			counters[key]++
			p.name = d.prefixed(fmt.Sprintf("tpl-%s-%02d", p.os.short, counters[key]))
			p.power = types.VirtualMachinePowerStatePoweredOff
			p.cpus, p.cores, p.memMB = 2, 2, 4096
			p.disksGB = []int64{40}
			p.thin = []bool{true}
			p.tools = "notRunning"
			if p.host.Runtime.ConnectionState == types.HostSystemConnectionStateDisconnected {
				p.host = slots[0].host
				p.dc, p.compute = slots[0].dc, slots[0].ci
				p.ds = p.dc.datastores[0]
			}
			if emptyDS[p.ds] {
				p.ds = p.dc.datastores[0]
			}
			plans = append(plans, p)
			continue
		}

		key := p.role.name + "-" + p.env
		if _, ok := counters[key]; !ok {
			counters[key] = []int{0, 0, 100, 200}[r.Intn(4)]
		}
		counters[key]++
		p.name = d.prefixed(fmt.Sprintf("%s-%s-%03d", p.role.name, p.env, counters[key]))

		p.cpus = p.role.cpus[r.Intn(len(p.role.cpus))]
		switch {
		case p.cpus >= 4 && r.Intn(3) == 0:
			p.cores = p.cpus / 2
		case r.Intn(2) == 0:
			p.cores = p.cpus
		default:
			p.cores = 1
		}
		p.memMB = p.role.memMB[r.Intn(len(p.role.memMB))]
		osGB := int64(40)
		if p.os.windows {
			osGB = []int64{60, 80, 100}[r.Intn(3)]
		} else if r.Intn(3) == 0 {
			osGB = []int64{16, 20, 32, 50}[r.Intn(4)]
		}
		p.disksGB = []int64{osGB}
		if len(p.role.dataGB) > 0 && r.Intn(10) < 7 {
			p.disksGB = append(p.disksGB, p.role.dataGB[r.Intn(len(p.role.dataGB))])
			if r.Intn(8) == 0 {
				p.disksGB = append(p.disksGB, p.role.dataGB[r.Intn(len(p.role.dataGB))])
			}
		}
		for range p.disksGB {
			p.thin = append(p.thin, r.Intn(10) < 7)
		}

		switch x := r.Intn(100); {
		case x < 82:
			p.power = types.VirtualMachinePowerStatePoweredOn
		case x < 96:
			p.power = types.VirtualMachinePowerStatePoweredOff
		default:
			p.power = types.VirtualMachinePowerStateSuspended
		}

		if p.power == types.VirtualMachinePowerStatePoweredOn {
			switch x := r.Intn(100); {
			case x < 75:
				p.tools = "ok"
			case x < 86:
				p.tools = "old"
			case x < 93:
				p.tools = "notRunning"
			default:
				p.tools = "notInstalled"
			}
			p.ip = (p.tools == "ok" || p.tools == "old") && r.Intn(100) < 92
		} else {
			if r.Intn(10) < 8 {
				p.tools = "notRunning"
			} else {
				p.tools = "notInstalled"
			}
		}

		if r.Intn(10) < 3 {
			tpl := annotations[r.Intn(len(annotations))]
			p.annot = fmt.Sprintf(tpl, teamNames[r.Intn(len(teamNames))], 1+r.Intn(90000))
		}
		if r.Intn(100) < 18 {
			p.snapshots = 1 + r.Intn(3)
			if r.Intn(20) == 0 {
				p.snapshots = 4
			}
		}
		plans = append(plans, p)
	}

	// Networks: one NIC, some VMs two.
	for _, p := range plans {
		if len(p.dc.portgroups) == 0 {
			p.nets = []int{-1}
			continue
		}
		first := d.r.Intn(len(p.dc.portgroups))
		p.nets = []int{first}
		if len(p.dc.portgroups) > 1 && d.r.Intn(10) == 0 {
			second := (first + 1 + d.r.Intn(len(p.dc.portgroups)-1)) % len(p.dc.portgroups)
			p.nets = append(p.nets, second)
		}
	}
	return plans
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// ---------------------------------------------------------------------------------------------
// creation through the simulator API

func (d *diversifier) taskResult(ref types.ManagedObjectReference) (types.AnyType, error) {
	t, ok := simulator.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, fmt.Errorf("task %s not found", ref)
	}
	if t.Info.Error != nil {
		return nil, fmt.Errorf("%s: %s (%T)", t.Info.Name, t.Info.Error.LocalizedMessage, t.Info.Error.Fault)
	}
	return t.Info.Result, nil
}

func (d *diversifier) createVMs(plans []*vmPlan) error {
	for _, p := range plans {
		spec := types.VirtualMachineConfigSpec{
			Name:              p.name,
			GuestId:           p.os.id,
			NumCPUs:           p.cpus,
			NumCoresPerSocket: p.cores,
			MemoryMB:          p.memMB,
			Annotation:        p.annot,
			// Unique per (seed, prefix, name): the simulator would derive both from the file path,
			// which repeats across simulators that share datastore and VM names.
			Uuid:         stableUUID(fmt.Sprintf("bios/%d/%s/%s", d.o.seed, d.o.namePrefix, p.name)),
			InstanceUuid: stableUUID(fmt.Sprintf("instance/%d/%s/%s", d.o.seed, d.o.namePrefix, p.name)),
			Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + p.ds.Name + "]"},
		}

		var devices object.VirtualDeviceList
		ctrlType := "pvscsi"
		if p.os.windows {
			ctrlType = "lsilogic-sas"
		}
		scsi, err := devices.CreateSCSIController(ctrlType)
		if err != nil {
			return err
		}
		devices = append(devices, scsi)
		ide, err := devices.CreateIDEController()
		if err != nil {
			return err
		}
		devices = append(devices, ide)
		cdrom, err := devices.CreateCdrom(ide.(*types.VirtualIDEController))
		if err != nil {
			return err
		}
		devices = append(devices, cdrom)
		for i, sizeGB := range p.disksGB {
			file := fmt.Sprintf("[%s] %s/%s.vmdk", p.ds.Name, p.name, p.name)
			if i > 0 {
				file = fmt.Sprintf("[%s] %s/%s_%d.vmdk", p.ds.Name, p.name, p.name, i)
			}
			disk := devices.CreateDisk(scsi.(types.BaseVirtualController), p.ds.Self, file)
			disk.CapacityInKB = sizeGB * gb / kb
			disk.CapacityInBytes = sizeGB * gb
			disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ThinProvisioned = types.NewBool(p.thin[i])
			disk.Key = int32(-10 - i)
			devices = append(devices, disk)
		}
		for i, pgIndex := range p.nets {
			nic := esx.EthernetCard
			nic.Key = int32(-100 - i)
			nic.UnitNumber = nil
			nic.ControllerKey = 0
			nic.Connectable = nil
			nic.SlotInfo = nil
			if pgIndex < 0 {
				nic.Backing = &types.VirtualEthernetCardNetworkBackingInfo{
					VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
				}
			} else {
				pg := p.dc.portgroups[pgIndex]
				nic.Backing = &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
					Port: types.DistributedVirtualSwitchPortConnection{
						SwitchUuid:   p.dc.dvs.Uuid,
						PortgroupKey: pg.Key,
					},
				}
			}
			devices = append(devices, &nic)
		}
		spec.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
		if err != nil {
			return err
		}

		host := p.host.Self
		res, err := methods.CreateVM_Task(d.ctx, d.c, &types.CreateVM_Task{
			This:   p.dc.dc.VmFolder,
			Config: spec,
			Pool:   p.compute.pool,
			Host:   &host,
		})
		if err != nil {
			return fmt.Errorf("CreateVM %s: %w", p.name, err)
		}
		out, err := d.taskResult(res.Returnval)
		if err != nil {
			return fmt.Errorf("CreateVM %s: %w", p.name, err)
		}
		p.vmRef = out.(types.ManagedObjectReference)

		if p.power != types.VirtualMachinePowerStatePoweredOff {
			pres, err := methods.PowerOnVM_Task(d.ctx, d.c, &types.PowerOnVM_Task{This: p.vmRef})
			if err != nil {
				return err
			}
			if _, err := d.taskResult(pres.Returnval); err != nil {
				return err
			}
		}
		for i := 0; i < p.snapshots; i++ {
			sres, err := methods.CreateSnapshot_Task(d.ctx, d.c, &types.CreateSnapshot_Task{
				This:        p.vmRef,
				Name:        snapshotNames[d.r.Intn(len(snapshotNames))],
				Description: fmt.Sprintf("Created by %s for CHG-%05d", teamNames[d.r.Intn(len(teamNames))], 1+d.r.Intn(90000)),
				Memory:      false,
				Quiesce:     p.power == types.VirtualMachinePowerStatePoweredOn && d.r.Intn(2) == 0,
			})
			if err != nil {
				return err
			}
			if _, err := d.taskResult(sres.Returnval); err != nil {
				return err
			}
		}
		if p.power == types.VirtualMachinePowerStateSuspended {
			sres, err := methods.SuspendVM_Task(d.ctx, d.c, &types.SuspendVM_Task{This: p.vmRef})
			if err != nil {
				return err
			}
			if _, err := d.taskResult(sres.Returnval); err != nil {
				return err
			}
		}
		if p.template {
			if _, err := methods.MarkAsTemplate(d.ctx, d.c, &types.MarkAsTemplate{This: p.vmRef}); err != nil {
				return fmt.Errorf("MarkAsTemplate %s: %w", p.name, err)
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// in-process fill-ins

func (d *diversifier) fillVMs(plans []*vmPlan) {
	r := d.r
	ipBase := 20 + int(d.o.seed%50+50)%50*2
	for idx, p := range plans {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)

		vm.Config.GuestFullName = p.os.fullName
		vm.Summary.Config.GuestFullName = p.os.fullName
		vm.Summary.Config.Annotation = vm.Config.Annotation

		hostDisconnected := p.host.Runtime.ConnectionState == types.HostSystemConnectionStateDisconnected
		on := p.power == types.VirtualMachinePowerStatePoweredOn

		// runtime: boot time and quick stats
		if p.power != types.VirtualMachinePowerStatePoweredOff {
			boot := d.now.Add(-time.Duration(1+r.Intn(400*24)) * time.Hour)
			vm.Runtime.BootTime = &boot
			vm.Summary.Runtime.BootTime = &boot
			if on {
				vm.Summary.QuickStats.UptimeSeconds = int32(d.now.Sub(boot).Seconds())
				mhz := int32(100 + r.Intn(int(p.cpus)*900))
				vm.Summary.QuickStats.OverallCpuUsage = mhz
				vm.Summary.QuickStats.OverallCpuDemand = mhz
				vm.Summary.QuickStats.GuestMemoryUsage = int32(p.memMB * int64(10+r.Intn(70)) / 100)
				vm.Summary.QuickStats.HostMemoryUsage = int32(p.memMB * int64(50+r.Intn(50)) / 100)
			}
		}
		if hostDisconnected {
			vm.Runtime.ConnectionState = types.VirtualMachineConnectionStateDisconnected
			vm.Summary.Runtime.ConnectionState = types.VirtualMachineConnectionStateDisconnected
			vm.Summary.OverallStatus = types.ManagedEntityStatusGray
			vm.OverallStatus = types.ManagedEntityStatusGray
		}

		// tools and guest
		g := vm.Guest
		g.GuestFamily = "linuxGuest"
		if p.os.windows {
			g.GuestFamily = "windowsGuest"
		}
		g.GuestId, g.GuestFullName, g.HostName, g.IpAddress = "", "", "", ""
		g.GuestState = "notRunning"
		g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
		switch p.tools {
		case "ok":
			g.ToolsStatus = types.VirtualMachineToolsStatusToolsOk
			g.ToolsVersionStatus = "guestToolsCurrent"
			g.ToolsVersionStatus2 = "guestToolsCurrent"
			g.ToolsVersion = "12352"
			g.ToolsInstallType = "guestToolsTypeOpenVMTools"
			if p.os.windows {
				g.ToolsInstallType = "guestToolsTypeMSI"
			}
		case "old":
			g.ToolsStatus = types.VirtualMachineToolsStatusToolsOld
			g.ToolsVersionStatus = "guestToolsNeedUpgrade"
			g.ToolsVersionStatus2 = "guestToolsSupportedOld"
			g.ToolsVersion = "11269"
			g.ToolsInstallType = "guestToolsTypeMSI"
			if !p.os.windows {
				g.ToolsInstallType = "guestToolsTypeTar"
			}
		case "notRunning":
			g.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
			g.ToolsVersionStatus = "guestToolsCurrent"
			g.ToolsVersionStatus2 = "guestToolsCurrent"
			g.ToolsVersion = "12352"
		default:
			g.ToolsStatus = types.VirtualMachineToolsStatusToolsNotInstalled
			g.ToolsVersionStatus = "guestToolsNotInstalled"
			g.ToolsVersionStatus2 = "guestToolsNotInstalled"
			g.ToolsVersion = "0"
		}
		running := on && (p.tools == "ok" || p.tools == "old")
		var nets []types.GuestNicInfo
		if running {
			g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
			g.GuestState = "running"
			g.GuestId = p.os.id
			g.GuestFullName = p.os.fullName
			short := strings.TrimPrefix(p.name, d.prefixed(""))
			if p.os.windows {
				g.HostName = strings.ToUpper(strings.ReplaceAll(short, "-", ""))
				if len(g.HostName) > 15 {
					g.HostName = g.HostName[:15]
				}
			} else {
				g.HostName = short + "." + d.dom
			}
			vm.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGreen
			for i, nic := range g.Net {
				nic.Connected = true
				if i < len(p.nets) {
					if p.nets[i] >= 0 {
						nic.Network = p.dc.portgroups[p.nets[i]].Name
					} else {
						nic.Network = "VM Network"
					}
				}
				if p.ip {
					a := ipBase + p.dc.index
					if i > 0 {
						a += 120
					}
					ip := fmt.Sprintf("10.%d.%d.%d", a, (idx/250)%256, idx%250+5)
					nic.IpAddress = []string{ip}
					if i == 0 {
						g.IpAddress = ip
					}
				}
				nets = append(nets, nic)
			}
		}
		g.Net = nets
		vm.Summary.Guest = &types.VirtualMachineGuestSummary{
			GuestId:             g.GuestId,
			GuestFullName:       g.GuestFullName,
			ToolsStatus:         g.ToolsStatus,
			ToolsVersionStatus:  g.ToolsVersionStatus,
			ToolsVersionStatus2: g.ToolsVersionStatus2,
			ToolsRunningStatus:  g.ToolsRunningStatus,
			HostName:            g.HostName,
			IpAddress:           g.IpAddress,
		}

		// snapshot times: parents first, from months ago up to days ago
		if vm.Snapshot != nil {
			t := d.now.Add(-time.Duration(24*(5+r.Intn(240))) * time.Hour)
			var walk func(list []types.VirtualMachineSnapshotTree)
			walk = func(list []types.VirtualMachineSnapshotTree) {
				for i := range list {
					list[i].CreateTime = t
					t = t.Add(time.Duration(1+r.Intn(24*20)) * time.Hour)
					if t.After(d.now) {
						t = d.now.Add(-time.Hour)
					}
					walk(list[i].ChildSnapshotList)
				}
			}
			walk(vm.Snapshot.RootSnapshotList)
		}

		// storage: realistic committed/uncommitted
		var committed, uncommitted, provisioned int64
		for i, sizeGB := range p.disksGB {
			size := sizeGB * gb
			provisioned += size
			if p.thin[i] {
				used := size * int64(15+r.Intn(70)) / 100
				committed += used
				uncommitted += size - used
			} else {
				committed += size
			}
		}
		committed += int64(p.snapshots) * (1 + int64(r.Intn(20))) * gb
		if p.power != types.VirtualMachinePowerStatePoweredOff {
			committed += p.memMB * mb // swap or suspend image
		}
		committed += int64(2+r.Intn(200)) * mb // vmx, nvram, logs
		now := d.now
		vm.Summary.Storage = &types.VirtualMachineStorageSummary{
			Committed:   committed,
			Uncommitted: uncommitted,
			Unshared:    committed,
			Timestamp:   now,
		}
		vm.Storage = &types.VirtualMachineStorageInfo{
			PerDatastoreUsage: []types.VirtualMachineUsageOnDatastore{{
				Datastore: p.ds.Self, Committed: committed, Uncommitted: uncommitted, Unshared: committed,
			}},
			Timestamp: now,
		}
		_ = provisioned
	}
}

func (d *diversifier) fillHostsAndClusters(plans []*vmPlan) {
	r := d.r
	usage := map[*simulator.HostSystem][2]int64{} // cpu MHz, mem MB
	for _, p := range plans {
		if p.power == types.VirtualMachinePowerStatePoweredOn {
			vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
			u := usage[p.host]
			u[0] += int64(vm.Summary.QuickStats.OverallCpuUsage)
			u[1] += int64(vm.Summary.QuickStats.HostMemoryUsage)
			usage[p.host] = u
		}
	}

	for _, info := range d.dcs {
		for _, ci := range info.computes {
			prof := hostProfiles[r.Intn(len(hostProfiles))]
			ver := esxiVersions[r.Intn(len(esxiVersions))]
			var sum types.ComputeResourceSummary
			for _, h := range ci.hosts {
				if ci.cluster == nil {
					prof = hostProfiles[r.Intn(len(hostProfiles))]
					ver = esxiVersions[r.Intn(len(esxiVersions))]
				}
				hw := h.Summary.Hardware
				hw.Vendor, hw.Model, hw.CpuModel = prof.vendor, prof.model, prof.cpuModel
				hw.NumCpuPkgs, hw.NumCpuCores, hw.NumCpuThreads = prof.pkgs, prof.cores, prof.threads
				hw.CpuMhz = prof.mhz
				hw.MemorySize = prof.memGB * gb
				hw.NumNics, hw.NumHBAs = prof.nics, prof.hbas
				h.Hardware.SystemInfo.Vendor = prof.vendor
				h.Hardware.SystemInfo.Model = prof.model
				h.Hardware.SystemInfo.SerialNumber = fmt.Sprintf("%X", r.Int63n(1<<40))
				h.Hardware.CpuInfo = types.HostCpuInfo{
					NumCpuPackages: prof.pkgs, NumCpuCores: prof.cores, NumCpuThreads: prof.threads,
					Hz: int64(prof.mhz) * 1000 * 1000,
				}
				h.Hardware.MemorySize = hw.MemorySize

				product := esx.HostConfigInfo.Product
				product.Version = ver.version
				product.Build = ver.build
				product.FullName = fmt.Sprintf("VMware ESXi %s build-%s", ver.version, ver.build)
				h.Summary.Config.Product = &product
				if h.Config != nil {
					h.Config.Product = product
				}

				boot := d.now.Add(-time.Duration(24*(3+r.Intn(300))) * time.Hour)
				h.Runtime.BootTime = &boot
				h.Summary.Runtime = &h.Runtime
				u := usage[h]
				h.Summary.QuickStats = types.HostListSummaryQuickStats{
					OverallCpuUsage:    int32(u[0]) + int32(200+r.Intn(800)),
					OverallMemoryUsage: int32(u[1]) + int32(4096+r.Intn(8192)),
					Uptime:             int32(d.now.Sub(boot).Seconds()),
				}
				switch {
				case h.Runtime.ConnectionState == types.HostSystemConnectionStateDisconnected:
					h.Summary.QuickStats = types.HostListSummaryQuickStats{}
					h.Runtime.BootTime = nil
					h.OverallStatus = types.ManagedEntityStatusGray
					h.Summary.OverallStatus = types.ManagedEntityStatusGray
				case h.Runtime.InMaintenanceMode:
					h.Summary.QuickStats.OverallCpuUsage = int32(50 + r.Intn(100))
					h.Summary.QuickStats.OverallMemoryUsage = int32(2048 + r.Intn(2048))
				}

				sum.TotalCpu += int32(prof.mhz) * int32(prof.cores)
				sum.TotalMemory += hw.MemorySize
				sum.NumCpuCores += prof.cores
				sum.NumCpuThreads += prof.threads
				sum.NumHosts++
				if h.Runtime.ConnectionState == types.HostSystemConnectionStateConnected && !h.Runtime.InMaintenanceMode {
					sum.EffectiveCpu += int32(prof.mhz) * int32(prof.cores) * 9 / 10
					sum.EffectiveMemory += hw.MemorySize * 9 / 10 / mb // MB, as vCenter reports
					sum.NumEffectiveHosts++
				}
			}
			sum.OverallStatus = types.ManagedEntityStatusGreen
			if sum.NumEffectiveHosts < sum.NumHosts {
				sum.OverallStatus = types.ManagedEntityStatusYellow
			}

			if ci.cluster != nil {
				cs, ok := ci.cluster.Summary.(*types.ClusterComputeResourceSummary)
				if ok {
					cs.ComputeResourceSummary = sum
				}
				cfg, ok := ci.cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
				if ok {
					drs := r.Intn(10) < 8
					cfg.DrsConfig.Enabled = types.NewBool(drs)
					cfg.DrsConfig.DefaultVmBehavior = []types.DrsBehavior{
						types.DrsBehaviorFullyAutomated, types.DrsBehaviorFullyAutomated,
						types.DrsBehaviorPartiallyAutomated, types.DrsBehaviorManual,
					}[r.Intn(4)]
					cfg.DrsConfig.VmotionRate = int32(1 + r.Intn(5))
					ha := r.Intn(10) < 7
					cfg.DasConfig.Enabled = types.NewBool(ha)
					if ha {
						cfg.DasConfig.HostMonitoring = "enabled"
						cfg.DasConfig.VmMonitoring = []string{"vmMonitoringDisabled", "vmMonitoringOnly", "vmAndAppMonitoring"}[r.Intn(3)]
						cfg.DasConfig.AdmissionControlEnabled = types.NewBool(r.Intn(2) == 0)
					}
				}
			} else if ci.standalone != nil {
				if cs, ok := ci.standalone.Summary.(*types.ComputeResourceSummary); ok {
					*cs = sum
				}
			}
		}
	}
}

func (d *diversifier) fillDatastores(plans []*vmPlan) {
	r := d.r
	committed := map[*simulator.Datastore]int64{}
	uncommitted := map[*simulator.Datastore]int64{}
	for _, p := range plans {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		committed[p.ds] += vm.Summary.Storage.Committed
		uncommitted[p.ds] += vm.Summary.Storage.Uncommitted
	}
	dsNo := 0
	for _, info := range d.dcs {
		for _, ds := range info.datastores {
			dsNo++
			used := committed[ds] + int64(1+r.Intn(20))*gb // plus non-VM files (ISOs, logs, .sdd.sf)
			var fill int64
			switch {
			case committed[ds] == 0:
				fill = 5 + int64(r.Intn(30))
			case dsNo%4 == 2:
				fill = 91 + int64(r.Intn(8)) // nearly full
			default:
				fill = 25 + int64(r.Intn(55))
			}
			capacity := used * 100 / fill
			if committed[ds] == 0 {
				capacity = int64(1+r.Intn(4)) * tb
				used = capacity * fill / 100
			}
			// round capacity up to a multiple of 256 GiB, as LUNs are carved
			capacity = (capacity + 256*gb - 1) / (256 * gb) * (256 * gb)
			if capacity < used {
				capacity = used
			}
			free := capacity - used

			old := ds.Info.GetDatastoreInfo()
			base := *old
			base.FreeSpace = free
			base.MaxFileSize = 62 * tb
			base.MaxMemoryFileSize = 62 * tb
			base.MaxVirtualDiskCapacity = 62 * tb
			now := d.now
			base.Timestamp = &now
			shared := true
			ds.Summary.MultipleHostAccess = &shared
			if strings.HasPrefix(ds.Name, "nfs") {
				ds.Summary.Type = "NFS"
				ds.Info = &types.NasDatastoreInfo{
					DatastoreInfo: base,
					Nas: &types.HostNasVolume{
						HostFileSystemVolume: types.HostFileSystemVolume{Type: "NFS", Name: ds.Name, Capacity: capacity},
						RemoteHost:           fmt.Sprintf("nas%02d.%s", 1+dsNo%3, d.dom),
						RemotePath:           "/export/" + ds.Name,
					},
				}
			} else {
				ds.Summary.Type = "VMFS"
				ssd := !strings.Contains(ds.Name, "sas")
				local := false
				ds.Info = &types.VmfsDatastoreInfo{
					DatastoreInfo:          base,
					MaxPhysicalRDMFileSize: 64 * tb,
					MaxVirtualRDMFileSize:  62 * tb,
					Vmfs: &types.HostVmfsVolume{
						HostFileSystemVolume: types.HostFileSystemVolume{Type: "VMFS", Name: ds.Name, Capacity: capacity},
						BlockSizeMb:          1,
						BlockSize:            1024,
						MaxBlocks:            63963136,
						MajorVersion:         6,
						Version:              "6.82",
						Uuid:                 stableUUID("vmfs/" + ds.Name + "/" + d.dom)[:35],
						Ssd:                  &ssd,
						Local:                &local,
					},
				}
			}
			ds.Summary.Capacity = capacity
			ds.Summary.FreeSpace = free
			ds.Summary.Uncommitted = uncommitted[ds]
		}
	}
}

// fillNetworks lists the VMs on each network (the simulator leaves Network.vm empty).
func (d *diversifier) fillNetworks(plans []*vmPlan) {
	for _, p := range plans {
		vm := simulator.Map.Get(p.vmRef).(*simulator.VirtualMachine)
		for _, ref := range vm.Network {
			switch n := simulator.Map.Get(ref).(type) {
			case *simulator.DistributedVirtualPortgroup:
				n.Vm = append(n.Vm, vm.Self)
			case *mo.Network:
				n.Vm = append(n.Vm, vm.Self)
			}
		}
	}
}
