// Command vcsim serves one simulated vCenter (govmomi simulator, VPX model) over HTTPS on
// 127.0.0.1 for vMiner's end-to-end tests and benchmarks.
//
// Build (GOPATH mode, Debian's golang-github-vmware-govmomi-dev 0.24.2):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o e2e/vcsim/bin/vcsim ./e2e/vcsim
//
// When the server is ready it prints exactly one JSON line on stdout:
//
//	{"url":"https://127.0.0.1:PORT/sdk","vms":N,"hosts":N,"clusters":N,"datastores":N,"networks":N}
//
// and serves until SIGTERM/SIGINT. With -seed 0 the inventory is the plain simulator model;
// with any other seed the inventory is diversified deterministically (see diversify.go).
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator" // the tagging REST API (/rest), mounted with RegisterEndpoints
	"github.com/vmware/govmomi/vim25"
)

type readyLine struct {
	URL        string `json:"url"`
	VMs        int    `json:"vms"`
	Hosts      int    `json:"hosts"`
	Clusters   int    `json:"clusters"`
	Datastores int    `json:"datastores"`
	Networks   int    `json:"networks"`
}

type options struct {
	datacenters    int
	clusters       int
	hostsPerClust  int
	standaloneHost int
	vms            int
	datastores     int
	portgroups     int
	delayMs        int
	seed           int64
	user           string
	password       string
	instanceUUID   string
	port           int
	namePrefix     string
	exitWithParent bool
	tlsDir         string
	emitUpdates    bool
	noTagging      bool
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var o options
	flag.IntVar(&o.datacenters, "datacenter", 1, "number of datacenters")
	flag.IntVar(&o.clusters, "cluster", 1, "clusters per datacenter")
	flag.IntVar(&o.hostsPerClust, "host", 3, "hosts per cluster")
	flag.IntVar(&o.standaloneHost, "standalone-host", 1, "standalone hosts per datacenter")
	flag.IntVar(&o.vms, "vm", 4, "total number of VMs wanted across the inventory (templates included)")
	flag.IntVar(&o.datastores, "ds", 1, "datastores per datacenter (mounted on every host of the datacenter)")
	flag.IntVar(&o.portgroups, "pg", 1, "distributed portgroups per datacenter")
	flag.IntVar(&o.delayMs, "delay", 0, "delay in milliseconds added to every SOAP call")
	flag.Int64Var(&o.seed, "seed", 0, "0 = plain simulator inventory; otherwise diversify deterministically from this seed")
	flag.StringVar(&o.user, "user", "", "only this user may log in (requires -password)")
	flag.StringVar(&o.password, "password", "", "password for -user")
	flag.StringVar(&o.instanceUUID, "instance-uuid", "", "override about.instanceUuid")
	flag.IntVar(&o.port, "port", 0, "TCP port on 127.0.0.1 (0 = any free port)")
	flag.StringVar(&o.namePrefix, "name-prefix", "", "prefix for VM/host/cluster names (seeded mode)")
	flag.StringVar(&o.tlsDir, "tls-dir", "", "keep the certificate in DIR (cert.pem, key.pem): a restarted simulator presents the same one, like a restarted vCenter")
	flag.BoolVar(&o.emitUpdates, "emit-updates", true, "report maintenance-mode and vm-list changes to WaitForUpdatesEx like vCenter does (see live_updates.go)")
	flag.BoolVar(&o.noTagging, "no-tagging", false, "serve no tagging REST API (/rest answers 404), like a vCenter whose vAPI endpoint is down")
	flag.BoolVar(&o.exitWithParent, "exit-with-parent", true, "exit (cleanly) when the parent process goes away, so no simulator is orphaned")
	flag.Parse()

	// Writes to a closed stdout/stderr (parent gone) must not kill us before we clean up.
	signal.Ignore(syscall.SIGPIPE)

	if flag.NArg() != 0 {
		fail("unexpected arguments: %v", flag.Args())
	}
	if o.datacenters < 1 {
		fail("-datacenter must be >= 1")
	}
	if o.clusters < 0 || o.hostsPerClust < 0 || o.standaloneHost < 0 || o.vms < 0 || o.portgroups < 0 || o.delayMs < 0 {
		fail("counts and delays must not be negative")
	}
	if o.datastores < 1 {
		fail("-ds must be >= 1")
	}
	if (o.user == "") != (o.password == "") {
		fail("-user and -password must be given together")
	}
	pools := o.datacenters * (o.clusters + o.standaloneHost)
	if o.vms > 0 && (pools == 0 || (o.clusters > 0 && o.hostsPerClust == 0 && o.standaloneHost == 0)) {
		fail("VMs requested but there is no host to place them on")
	}

	m := simulator.VPX()
	m.Datacenter = o.datacenters
	m.Cluster = o.clusters
	m.ClusterHost = o.hostsPerClust
	m.Host = o.standaloneHost
	m.Datastore = o.datastores
	m.Portgroup = o.portgroups
	if o.seed == 0 {
		// The model creates Machine VMs per cluster root pool and per standalone host.
		m.Machine = 0
		if o.vms > 0 {
			m.Machine = (o.vms + pools - 1) / pools
		}
	} else {
		m.Machine = 0 // VMs are created by diversify() with realistic names and placement
	}
	// The model points Service.delay at m.DelayConfig at the end of Create(); keep it 0 while
	// building the inventory and switch it on right before serving.
	m.DelayConfig.Delay = 0

	start := time.Now()
	if err := m.Create(); err != nil {
		fail("creating model: %v", err)
	}
	defer m.Remove()

	var plans []*vmPlan
	if o.seed != 0 {
		c, err := vim25.NewClient(context.Background(), m.Service)
		if err != nil {
			fail("internal client: %v", err)
		}
		if plans, err = diversify(context.Background(), c, &o); err != nil {
			m.Remove()
			fail("diversifying inventory: %v", err)
		}
	}

	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	switch {
	case o.instanceUUID != "":
		si.Content.About.InstanceUuid = o.instanceUUID
	case o.seed != 0:
		si.Content.About.InstanceUuid = stableUUID(fmt.Sprintf("vcenter/%d/%s", o.seed, o.namePrefix))
	}

	cert, err := loadOrCreateCert(o.tlsDir)
	if err != nil {
		m.Remove()
		fail("certificate: %v", err)
	}
	m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	listen := &url.URL{Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))}
	if o.user != "" {
		listen.User = url.UserPassword(o.user, o.password)
	}
	m.Service.Listen = listen
	m.Service.RegisterEndpoints = !o.noTagging

	s := m.Service.NewServer()
	port := s.Listener.Addr().(*net.TCPAddr).Port
	if o.seed != 0 && !o.noTagging {
		if err := seedTags(context.Background(), s.URL, o.seed, plans); err != nil {
			s.Close()
			m.Remove()
			fail("tags: %v", err)
		}
	}
	m.DelayConfig.Delay = o.delayMs
	if o.emitUpdates {
		go emitMissingUpdates(100 * time.Millisecond)
	}

	ready := readyLine{
		URL:        fmt.Sprintf("https://127.0.0.1:%d/sdk", port),
		VMs:        len(simulator.Map.All("VirtualMachine")),
		Hosts:      len(simulator.Map.All("HostSystem")),
		Clusters:   len(simulator.Map.All("ClusterComputeResource")),
		Datastores: len(simulator.Map.All("Datastore")),
		Networks: len(simulator.Map.All("Network")) + len(simulator.Map.All("DistributedVirtualPortgroup")) +
			len(simulator.Map.All("OpaqueNetwork")),
	}
	line, _ := json.Marshal(ready)
	fmt.Fprintf(os.Stderr, "vcsim: ready in %s\n", time.Since(start).Round(time.Millisecond))
	os.Stdout.Write(append(line, '\n'))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if o.exitWithParent {
		go watchParent(sig)
	}
	<-sig

	// Server.Close waits for in-flight requests (e.g. a WaitForUpdatesEx long poll): bound it.
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
	}
	m.Remove()
	// The TypeScript helper gives every simulator its own TMPDIR named vminer-vcsim-*; remove it
	// too, so nothing is left behind even when the helper's process died without stopping us.
	if tmp := os.TempDir(); strings.HasPrefix(filepath.Base(tmp), "vminer-vcsim-") {
		_ = os.RemoveAll(tmp)
	}
	os.Exit(0)
}

// watchParent signals stop when this process is re-parented (its parent died without stopping it).
func watchParent(sig chan<- os.Signal) {
	ppid := os.Getppid()
	for range time.Tick(500 * time.Millisecond) {
		if os.Getppid() != ppid {
			fmt.Fprintln(os.Stderr, "vcsim: parent process went away, exiting")
			sig <- syscall.SIGTERM
			return
		}
	}
}

// stableUUID derives an RFC 4122 version 5 style UUID from s (deterministic).
func stableUUID(s string) string {
	h := sha1.Sum([]byte(s))
	b := h[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// loadOrCreateCert reuses DIR/cert.pem + DIR/key.pem when present, else makes a certificate (and
// saves it there when DIR is given).
func loadOrCreateCert(dir string) (tls.Certificate, error) {
	if dir == "" {
		return selfSignedCert()
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if c, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return c, nil
	}
	c, err := selfSignedCert()
	if err != nil {
		return c, err
	}
	key, err := x509.MarshalECPrivateKey(c.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		return c, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c, err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		return c, err
	}
	return c, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: key}), 0o600)
}

// selfSignedCert makes a fresh ECDSA certificate for 127.0.0.1/localhost, so each simulator
// process has its own thumbprint (as distinct vCenters do).
func selfSignedCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"vMiner vcsim"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
