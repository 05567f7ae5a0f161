package ota

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// testGates keep runs short: a few dozen frames of the 64×64 shapes model.
// Latency ratios of a few dozen sub-millisecond invokes on a shared test
// machine are noise, so that gate is wide open here (the self-test's
// budget is tested on its own).
var testGates = deploy.Gates{
	MaxLatencyRatio: 1000,
	ShadowFrames:    40, ProbationFrames: 40, MinFrames: 20,
	ShadowDuration: deploy.Duration(5 * time.Minute), ProbationDuration: deploy.Duration(5 * time.Minute),
}

// rig is a device: a data directory, a store, a frame loop and a machine,
// all real; bundles come from file:// URLs.
type rig struct {
	t         *testing.T
	pub       ed25519.PublicKey
	priv      ed25519.PrivateKey
	data, src string
	store     *store.Store
	host      *frameHost
	m         *Machine
	cfg       Config
	nextID    uint64

	mu        sync.Mutex
	published []Status
	updates   chan Status

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newRig(t *testing.T, change func(*Config)) *rig {
	r := &rig{t: t, data: t.TempDir(), src: t.TempDir(), nextID: 100, updates: make(chan Status, 1024)}
	r.pub, r.priv = otatest.Key(t)
	var err error
	trust := sign.NewTrust(r.pub)
	if r.store, err = store.Open(r.data, trust, bundle.Limits{}, nil); err != nil {
		t.Fatal(err)
	}
	r.host = newFrameHost(t)
	r.cfg = Config{
		Device: "dev-1", Group: "lab", Dir: filepath.Join(r.data, "ota"),
		Store: r.store, Trust: trust, Host: r.host, Fetcher: FileFetcher{},
		AgentVersion: "1.0.0", Gates: testGates,
		Publish: func(st Status) {
			r.mu.Lock()
			r.published = append(r.published, st)
			r.mu.Unlock()
			select {
			case r.updates <- st:
			default:
			}
		},
	}
	if change != nil {
		change(&r.cfg)
	}
	r.start()
	return r
}

// start runs the frame loop and a fresh machine on the rig's directory.
func (r *rig) start() {
	var err error
	if r.m, err = New(r.cfg); err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Go(func() {
		if err := r.host.run(ctx); err != nil && ctx.Err() == nil {
			r.t.Errorf("frame loop: %v", err)
		}
	})
	m := r.m
	r.wg.Go(func() {
		if err := m.Run(ctx); err != nil {
			r.t.Errorf("Machine.Run: %v", err)
		}
	})
	r.t.Cleanup(r.stop)
}

func (r *rig) stop() {
	if r.cancel != nil {
		r.cancel()
		r.wg.Wait()
		r.cancel = nil
	}
}

// deployment returns a deployment of the bundle at path for the rig's group.
func (r *rig) deployment(path, version string) *deploy.Deployment {
	b, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	r.nextID++
	return &deploy.Deployment{
		ID: r.nextID, Group: "lab", Name: "shapes", Version: version,
		URL: "file://" + path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)),
		Created: time.Now().UTC(),
	}
}

func (r *rig) submit(d *deploy.Deployment) []byte {
	env, err := deploy.Encode(d, r.priv)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.m.Submit(env); err != nil {
		r.t.Fatalf("Submit: %v", err)
	}
	return env
}

// wait returns the first published status of deployment id in a final
// state.
func (r *rig) wait(id uint64) Status {
	r.t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case st := <-r.updates:
			if st.Deployment == id && !st.State.busy() && st.State != Idle {
				return st
			}
		case <-deadline:
			r.t.Fatalf("deployment %d did not finish; status %+v", id, r.m.Status())
		}
	}
}

// install runs a deployment of a fresh shapes bundle at version to
// completion and returns its final status.
func (r *rig) install(version string) Status {
	r.t.Helper()
	d := r.deployment(otatest.Shapes(r.t, r.src, r.priv, version), version)
	r.submit(d)
	return r.wait(d.ID)
}

func (r *rig) states(id uint64) []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []State
	for _, st := range r.published {
		if st.Deployment == id && (len(out) == 0 || out[len(out)-1] != st.State) {
			out = append(out, st.State)
		}
	}
	return out
}
