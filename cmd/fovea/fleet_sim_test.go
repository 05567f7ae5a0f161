package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// simAgent is one in-process agent of the simulated fleet, connected to
// the broker through its own counting proxy.
type simAgent struct {
	id       string
	a        *agent.Agent
	proxy    *countingProxy
	mu       sync.Mutex
	versions map[string]int // results per model version
}

// countingProxy forwards TCP connections to the broker and counts the
// bytes both ways: the agent's bytes on the wire.
type countingProxy struct {
	ln         net.Listener
	sent, recv atomic.Int64 // from and to the agent
	wg         sync.WaitGroup
}

func newCountingProxy(t *testing.T, broker string) *countingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{ln: ln}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", broker)
			if err != nil {
				c.Close()
				continue
			}
			pipe := func(dst, src net.Conn, n *atomic.Int64) {
				buf := make([]byte, 32<<10)
				for {
					k, err := src.Read(buf)
					if k > 0 {
						n.Add(int64(k))
						if _, werr := dst.Write(buf[:k]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				dst.Close()
				src.Close()
			}
			p.wg.Go(func() { pipe(b, c, &p.sent) })
			p.wg.Go(func() { pipe(c, b, &p.recv) })
		}
	})
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *countingProxy) bytes() int64 { return p.sent.Load() + p.recv.Load() }

// paddedSpec is the shapes model's bundle spec with one more test vector,
// a noise image large enough to bring the bundle to about size bytes: a
// 3.5 MB bundle without a 3.5 MB model.
func paddedSpec(t *testing.T, spec bundle.Spec, size int) bundle.Spec {
	side := 1
	for side*side*3 < size {
		side++
	}
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range side {
		for x := range side {
			img.Set(x, y, color.RGBA{uint8(r.Uint32()), uint8(r.Uint32()), uint8(r.Uint32()), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	spec.Tests = append(spec.Tests, bundle.TestImage{Name: "noise.png", Data: b.Bytes()})
	return spec
}

// simRoot is the simulated fleet's topic root: not the default, so the
// simulation also checks that every topic (status, OTA state, group
// deployment, chunk transfer, rollback command) follows mqtt.topic_prefix
// and the fleet_root derived from it.
var simRoot = fleet.Topics{Root: "plant3/line2/"}

// startFleet starts n agents of group "sim" trusting pub. reserve, when
// not nil, gives an agent's ota.reserve_bytes (default 64MiB).
func startFleet(t *testing.T, ctx context.Context, wg *sync.WaitGroup, broker *mosquittotest.Broker, n int, pub string, reserve func(i int) string) []*simAgent {
	dir := t.TempDir()
	fps := 10
	if n > 20 {
		fps = 5 // two shared cores: keep 50 agents' inference modest
	}
	var agents []*simAgent
	for i := range n {
		s := &simAgent{id: fmt.Sprintf("sim-%02d", i), proxy: newCountingProxy(t, broker.Addr()), versions: map[string]int{}}
		res := "64MiB"
		if reserve != nil {
			res = reserve(i)
		}
		y := fmt.Sprintf(`
version: 1
device_id: %s
data_dir: %q
cameras:
  - {id: cam, uri: "synthetic:seed=%d&size=64&fps=%d"}
model: {path: %q}
http: {listen: "off"}
log: {level: error}
mqtt: {broker: "mqtt://%s", topic_prefix: "%s%s/"}
ota:
  trusted_keys: [%q]
  group: sim
  reserve_bytes: %s
  gates: {shadow_frames: 20, probation_frames: 20, min_frames: 10, max_latency_ratio: 1000000000}
`, s.id, filepath.Join(dir, s.id), i+1, fps, otatest.ModelPath(t), s.proxy.ln.Addr(), simRoot.Root, s.id, pub, res)
		cfg, err := config.Parse([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		count := agent.ObserverFunc(func(o *agent.Observation) {
			s.mu.Lock()
			s.versions[o.Model.Version]++
			s.mu.Unlock()
		})
		if s.a, err = agent.New(cfg, agent.Options{Observers: []agent.Observer{count}}); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := s.a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s: Run = %v", s.id, err)
			}
		})
		agents = append(agents, s)
		// Start them one by one, each connected before the next: 50
		// agents connecting at once on two cores only slow each other
		// (and, before ota-core's a13762d, raced mqttsync's client start).
		deadline := time.Now().Add(time.Minute)
		for st := s.a.Status().Sync; st == nil || !st.Connected; st = s.a.Status().Sync {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not connect", s.id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return agents
}

// dropSampler attributes the agents' dropped frames to the OTA state each
// agent was in when its drop counter moved (sampled every 100 ms).
type dropSampler struct {
	mu      sync.Mutex
	byState map[string]uint64 // guarded by mu
}

func (d *dropSampler) run(ctx context.Context, agents []*simAgent) {
	last := make([]uint64, len(agents))
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for i, s := range agents {
			var dropped uint64
			for _, c := range s.a.Status().Cameras {
				dropped += c.Dropped
			}
			if dropped > last[i] {
				state := "no update"
				if st := s.a.OTAStatus(); st != nil && !slices.Contains([]ota.State{ota.Idle, ota.Committed, ota.Failed, ota.RolledBack}, st.State) {
					state = string(st.State)
				}
				d.mu.Lock()
				d.byState[state] += dropped - last[i]
				d.mu.Unlock()
				last[i] = dropped
			}
		}
	}
}

func (d *dropSampler) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprint(d.byState)
}

// frames sums the agents' captured frames, drops and results.
func frames(agents []*simAgent) (captured, dropped, results uint64) {
	for _, s := range agents {
		for _, c := range s.a.Status().Cameras {
			captured += c.Captured
			dropped += c.Dropped
			results += c.Results
		}
	}
	return
}

// TestFleetSimulation rolls a 3.5 MB bundle out to a fleet of real
// in-process agents (8; FOVEA_FLEET_AGENTS=50 for the measurement in
// docs/ota.md) on a real mosquitto, in stages 1,10%,100%, serving it in
// chunks over MQTT, then rolls out a bad bundle (labels shuffled, shadow
// skipped so that it goes live) to the whole fleet and measures how long
// the fleet takes to be back. It reports the frames the agents' camera
// queues dropped, beside those dropped in an idle window before: on a
// shared machine a queue can overflow with no update running, so they are
// reported, not asserted (agent tests assert the swap drops none).
func TestFleetSimulation(t *testing.T) {
	if mosquittotest.Binary() == "" {
		t.Skip("mosquitto not installed")
	}
	n := 8
	if s := os.Getenv("FOVEA_FLEET_AGENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("FOVEA_FLEET_AGENTS=%q: want a number of agents", s)
		}
	}
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	pubKey, priv := otatest.Key(t)
	dir := t.TempDir()
	good := otatest.Write(t, dir, paddedSpec(t, otatest.Spec(t, "1.1.0"), 3_500_000), priv)
	bad := otatest.Write(t, dir, paddedSpec(t, otatest.Shuffled(t, "1.2.0"), 3_500_000), priv)
	fi, _ := os.Stat(good)
	t.Logf("bundle %s: %d bytes", filepath.Base(good), fi.Size())

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	agents := startFleet(t, ctx, &wg, broker, n, sign.Inline(pubKey), nil)
	defer func() { cancel(); wg.Wait() }()

	conn, err := fetchmqtt.Dial(ctx, fetchmqtt.Options{Broker: broker.URL(), ClientID: "fleet-operator"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	inv := fleet.NewInventory(simRoot)
	inv.Watch(conn)
	deadline := time.Now().Add(2 * time.Minute)
	for len(inv.Members("sim", nil)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d agents published their OTA status", len(inv.Members("sim", nil)), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	sampler := &dropSampler{byState: map[string]uint64{}}
	wg.Go(func() { sampler.run(ctx, agents) })
	// On a loaded machine a camera queue can overflow with or without an
	// update: measure an idle window first, to tell the two apart.
	idleWindow := 10 * time.Second
	if n > 20 {
		idleWindow = 30 * time.Second
	}
	_, d0, _ := frames(agents)
	time.Sleep(idleWindow)
	_, d1, _ := frames(agents)
	idleDrops := d1 - d0
	_, dropped0, _ := frames(agents)
	var before []int64
	for _, s := range agents {
		before = append(before, s.proxy.bytes())
	}

	// The operator serves the bundle in chunks over the broker, as
	// `fovea fleet deploy --mqtt-transfer` does.
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- fetch.ServeChunks(serveCtx, conn, simRoot.Root, "shapes-1.1.0", good, 0, nil) }()
	stages, _ := fleet.ParseStages("1,10%,100%")
	gates, policy, _ := fleet.ParseGates("min_agreement=0.9,max_error_rate=0.05")
	ro, err := fleet.New(fleet.Options{Client: conn, Inventory: inv, Topics: simRoot, Group: "sim", Bundle: good, Key: priv,
		Transfer: "shapes-1.1.0", Stages: stages, Gates: gates, Policy: policy, Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ro.Run(ctx)
	stopServing()
	if err := <-served; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("ServeChunks = %v", err)
	}
	if err != nil {
		t.Fatalf("good rollout: %v", err)
	}
	var report bytes.Buffer
	fleet.Summary(&report, st, time.Now())
	var wire int64
	for i, s := range agents {
		wire += s.proxy.bytes() - before[i]
		if v := s.a.Models().Active().Ref.Version; v != "1.1.0" {
			t.Errorf("%s runs %q after the rollout; want 1.1.0", s.id, v)
		}
	}
	_, dropped1, _ := frames(agents)
	fmt.Fprintf(&report, "bytes on the wire per device during the rollout (all its MQTT traffic: bundle chunks, results, telemetry, OTA status): %d\nframes dropped during the rollout: %d\n", wire/int64(n), dropped1-dropped0)
	fmt.Fprintf(&report, "frames dropped in %v without an update, before it: %d\n", idleWindow, idleDrops)

	// The bad bundle goes to everyone at once, skipping the shadow, so it
	// is live on the whole fleet until probation catches it on the first
	// device and the operator rolls back the rest.
	conn2, err := fetchmqtt.Dial(ctx, fetchmqtt.Options{Broker: broker.URL(), ClientID: "fleet-operator-2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(context.Background())
	inv2 := fleet.NewInventory(simRoot)
	inv2.Watch(conn2)
	inv2.Settle(ctx, 300*time.Millisecond, 5*time.Second)
	all, _ := fleet.ParseStages("100%")
	gates, _, _ = fleet.ParseGates("min_agreement=0.9,skip_shadow=true")
	ro, err = fleet.New(fleet.Options{Client: conn2, Inventory: inv2, Topics: simRoot, Group: "sim", Bundle: bad, Key: priv,
		Transfer: "shapes-1.2.0", Stages: all, Gates: gates, Timeout: 5 * time.Minute, RollbackTimeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	go fetch.ServeChunks(ctx, conn2, simRoot.Root, "shapes-1.2.0", bad, 0, nil) // ends with ctx
	_, dropped1, _ = frames(agents)
	start := time.Now()
	st, err = ro.Run(ctx)
	back := time.Since(start)
	if !errors.Is(err, fleet.ErrHalted) {
		t.Fatalf("bad rollout: %v; want it halted", err)
	}
	for _, s := range agents {
		if v := s.a.Models().Active().Ref.Version; v != "1.1.0" {
			t.Errorf("%s runs %q after the halt; want 1.1.0 again", s.id, v)
		}
		s.mu.Lock()
		t.Logf("%s results per version: %v", s.id, s.versions)
		s.mu.Unlock()
	}
	_, dropped2, _ := frames(agents)
	fmt.Fprintf(&report, "bad bundle to 100%% (skip_shadow): halted and every device back on 1.1.0 after %v (stage published at %s, halt recorded %v later)\n%s\nframes dropped during the bad rollout and its rollback: %d\n",
		back.Round(100*time.Millisecond), st.Stages[0].Started.Format(time.TimeOnly), st.Updated.Sub(st.Stages[0].Started).Round(100*time.Millisecond), st.Reason, dropped2-dropped1)
	fmt.Fprintf(&report, "frames dropped by the agent's OTA state at the time: %s\n", sampler)
	t.Logf("fleet of %d agents:\n%s", n, report.String())
	if path := os.Getenv("FOVEA_FLEET_REPORT"); path != "" {
		os.WriteFile(path, report.Bytes(), 0o644)
	}
}
