package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// otaOperator is the operator's side of the test: a plain MQTT client that
// publishes deployments and commands and watches the retained OTA status.
type otaOperator struct {
	t    *testing.T
	c    mqtt.Client
	priv ed25519.PrivateKey

	mu      sync.Mutex
	states  []ota.Status
	replies map[string]mqttsync.Reply
}

func newOperator(t *testing.T, broker *mosquittotest.Broker, priv ed25519.PrivateKey, device string) *otaOperator {
	op := &otaOperator{t: t, priv: priv, replies: map[string]mqttsync.Reply{}}
	op.c = mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).SetClientID("ota-operator"))
	if tok := op.c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("operator connect: %v", tok.Error())
	}
	t.Cleanup(func() { op.c.Disconnect(0) })
	for topic, fn := range map[string]mqtt.MessageHandler{
		"fovea/" + device + "/ota": func(_ mqtt.Client, m mqtt.Message) {
			var st ota.Status
			if err := json.Unmarshal(m.Payload(), &st); err != nil {
				t.Errorf("ota status: %v", err)
				return
			}
			op.mu.Lock()
			op.states = append(op.states, st)
			op.mu.Unlock()
		},
		"fovea/" + device + "/cmd/#": func(_ mqtt.Client, m mqtt.Message) {
			if !strings.HasSuffix(m.Topic(), "/reply") {
				return
			}
			var r mqttsync.Reply
			json.Unmarshal(m.Payload(), &r)
			op.mu.Lock()
			op.replies[r.ID] = r
			op.mu.Unlock()
		},
	} {
		if tok := op.c.Subscribe(topic, 1, fn); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("subscribe %s: %v", topic, tok.Error())
		}
	}
	return op
}

func (op *otaOperator) deploy(topic, bundlePath, version string, id uint64, gates deploy.Gates, source func(*deploy.Deployment)) {
	b, err := os.ReadFile(bundlePath)
	if err != nil {
		op.t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	d := &deploy.Deployment{ID: id, Group: "lab", Name: "shapes", Version: version, URL: "file://" + bundlePath,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Gates: gates, Created: time.Now().UTC()}
	if source != nil {
		source(d)
	}
	env, err := deploy.Encode(d, op.priv)
	if err != nil {
		op.t.Fatal(err)
	}
	if tok := op.c.Publish(topic, 1, true, env); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		op.t.Fatalf("publish deployment: %v", tok.Error())
	}
}

// waitState waits for a retained status of deployment id in a final state.
func (op *otaOperator) waitState(id uint64) ota.Status {
	op.t.Helper()
	var got ota.Status
	waitFor(op.t, fmt.Sprintf("deployment %d to finish", id), func() bool {
		op.mu.Lock()
		defer op.mu.Unlock()
		for _, st := range op.states {
			if st.Deployment == id && (st.State == ota.Committed || st.State == ota.Failed || st.State == ota.RolledBack) {
				got = st
				return true
			}
		}
		return false
	})
	return got
}

func (op *otaOperator) command(device, name, id, args string) mqttsync.Reply {
	op.t.Helper()
	payload := fmt.Sprintf(`{"id":%q,"args":%s}`, id, args)
	if tok := op.c.Publish("fovea/"+device+"/cmd/"+name, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		op.t.Fatalf("publish command: %v", tok.Error())
	}
	var r mqttsync.Reply
	waitFor(op.t, "reply to "+name, func() bool {
		op.mu.Lock()
		defer op.mu.Unlock()
		var ok bool
		r, ok = op.replies[id]
		return ok
	})
	return r
}

// TestOTAOverMQTT runs the whole update path on a real agent: a signed
// deployment retained on the group topic of a real mosquitto, a bundle of
// the demo model, self-test, shadow and probation on live synthetic
// frames, the status retained on fovea/<device>/ota, /api/status and
// /metrics, a bad model refused in the shadow, and the model commands.
func TestOTAOverMQTT(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	pub, priv := otatest.Key(t)
	dir := t.TempDir()
	pubPEM, _ := sign.MarshalPublic(pub)
	pubPath := filepath.Join(dir, "ops.pub")
	os.WriteFile(pubPath, pubPEM, 0o644)
	data := filepath.Join(dir, "state")
	y := fmt.Sprintf(`
version: 1
device_id: ota-dev
data_dir: %q
cameras:
  - {id: cam, uri: "synthetic:seed=5&size=64", on_full: wait}
model: {path: %q}
http: {listen: "127.0.0.1:0"}
mqtt: {broker: %q}
ota:
  trusted_keys: [%q]
  group: lab
  gates: {shadow_frames: 40, probation_frames: 40, min_frames: 20, max_latency_ratio: 1000}
`, data, demoModel, broker.URL(), pubPath)
	cfg, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	var vmu sync.Mutex
	versions := map[string]int{} // durable results per model version
	count := ObserverFunc(func(o *Observation) {
		vmu.Lock()
		versions[o.Model.Version]++
		vmu.Unlock()
	})
	a, err := New(cfg, Options{Observers: []Observer{count}})
	if err != nil {
		t.Fatal(err)
	}
	op := newOperator(t, broker, priv, "ota-dev")
	addr, stop := started(t, a)
	configured := a.Models().Active().Ref

	// 1.1.0 over HTTP from a real server on loopback.
	good := otatest.Shapes(t, dir, priv, "1.1.0")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	op.deploy(fleet.Topics{}.Deploy("lab"), good, "1.1.0", 10, deploy.Gates{}, func(d *deploy.Deployment) { d.URL = srv.URL + "/" + filepath.Base(good) })
	st := op.waitState(10)
	if st.State != ota.Committed || st.Active != "1.1.0" {
		t.Fatalf("deployment 10: %s (%s)", st.State, st.Reason)
	}
	if ref := a.Models().Active().Ref; ref.Version != "1.1.0" || ref.Name != "shapes" || ref.SHA256 != st.ActiveSHA256 {
		t.Errorf("running %+v; want shapes 1.1.0 sha %s", ref, st.ActiveSHA256)
	}
	var status Status
	if code, body := get(t, "http://"+addr+"/api/status"); code != 200 || json.Unmarshal([]byte(body), &status) != nil || status.OTA == nil || status.OTA.State != ota.Committed || status.Model.Version != "1.1.0" {
		t.Errorf("/api/status: %d %s", code, body)
	}
	_, metrics := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{`fovea_ota_state{state="committed"} 1`, `version="1.1.0"`, `fovea_ota_last_deployment_id 10`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// 1.2.0 in chunks over MQTT, served by the operator's chunk server.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := fetchmqtt.Dial(ctx, fetchmqtt.Options{Broker: broker.URL(), ClientID: "ota-chunks"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	chunks := fetch.NewChunkServer(conn, nil)
	if _, err := chunks.Add("shapes-1.2.0", otatest.Shapes(t, dir, priv, "1.2.0"), 8<<10); err != nil {
		t.Fatal(err)
	}
	conn.Subscribe(fetch.RequestFilter, chunks.Deliver)
	go chunks.Run(ctx)
	op.deploy(fleet.Topics{}.Deploy("lab"), filepath.Join(dir, "shapes-1.2.0.fovea"), "1.2.0", 11, deploy.Gates{}, func(d *deploy.Deployment) { d.URL, d.Transfer = "", "shapes-1.2.0" })
	if st := op.waitState(11); st.State != ota.Committed || st.Previous != "1.1.0" || a.Models().Active().Ref.Version != "1.2.0" {
		t.Fatalf("deployment 11 over MQTT chunks: %s (%s)", st.State, st.Reason)
	}

	// A bad model (labels rotated) addressed to this device alone is
	// refused by the shadow run; 1.2.0 keeps running.
	bad := otatest.Write(t, dir, otatest.Shuffled(t, "2.0.0"), priv)
	op.deploy("fovea/ota-dev/deploy", bad, "2.0.0", 12, deploy.Gates{}, nil)
	st = op.waitState(12)
	if st.State != ota.Failed || !strings.Contains(st.Reason, "agreement") || a.Models().Active().Ref.Version != "1.2.0" {
		t.Fatalf("bad model: %s (%s), running %s", st.State, st.Reason, a.Models().Active().Ref.Version)
	}

	r := op.command("ota-dev", CmdModelList, "l1", "{}")
	if !r.OK || !strings.Contains(fmt.Sprint(r.Result), "1.2.0") {
		t.Errorf("model/list: %+v", r)
	}
	if r := op.command("ota-dev", CmdModelActivate, "a1", `{"version":"9.9.9"}`); r.OK || !strings.Contains(r.Error, "not installed") {
		t.Errorf("model/activate of a missing version: %+v", r)
	}
	if r := op.command("ota-dev", CmdModelRollback, "r1", "{}"); !r.OK {
		t.Errorf("model/rollback: %+v", r)
	}
	if ref := a.Models().Active().Ref; ref.Version != "1.1.0" {
		t.Errorf("after rollback running %+v; want 1.1.0", ref)
	}
	if r := op.command("ota-dev", CmdModelActivate, "a2", `{"version":"1.2.0"}`); !r.OK || a.Models().Active().Ref.Version != "1.2.0" {
		t.Errorf("model/activate 1.2.0: %+v", r)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// No result was made by the refused model: shadow results are never
	// stored.
	vmu.Lock()
	defer vmu.Unlock()
	if versions["2.0.0"] != 0 || versions["1.1.0"] == 0 || versions["1.2.0"] == 0 || versions[configured.Version] == 0 {
		t.Errorf("results per model version %v", versions)
	}
	t.Logf("results per model version: %v", versions)
}

// TestOTAStartsOnInstalledModel restarts an agent after an update: it
// starts on the committed version, and on the configured model when the
// installed files are damaged.
func TestOTAStartsOnInstalledModel(t *testing.T) {
	pub, priv := otatest.Key(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "state")
	y := fmt.Sprintf(`
version: 1
device_id: ota-dev
data_dir: %q
cameras:
  - {id: cam, uri: "synthetic:seed=5&size=64&count=20", on_full: wait}
model: {path: %q}
http: {listen: "off"}
ota: {trusted_keys: [%q]}
`, data, demoModel, sign.Inline(pub))
	cfg, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Install and activate 1.3.0 through the store, as a finished update
	// leaves it.
	v, err := a.ota.store.Install(otatest.Shapes(t, dir, priv, "1.3.0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ota.store.SetActive(v.Version); err != nil {
		t.Fatal(err)
	}
	a2, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ref := a2.Models().Active().Ref; ref.Version != "1.3.0" {
		t.Fatalf("restarted agent runs %+v; want 1.3.0", ref)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a2.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, rec := range readOutbox(t, data) {
		if rec.Model.Version != "1.3.0" {
			t.Fatalf("result by %+v; want 1.3.0", rec.Model)
		}
	}
	// Damage the installed model: the next start refuses it.
	mp := filepath.Join(v.Dir, "model.tflite")
	b, _ := os.ReadFile(mp)
	b[1000] ^= 0xff
	os.WriteFile(mp, b, 0o644)
	a3, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ref := a3.Models().Active().Ref; ref.Version == "1.3.0" {
		t.Fatalf("agent started on a damaged installed model")
	}
}
