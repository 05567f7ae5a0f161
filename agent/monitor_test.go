package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/monitor"
	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/monitor/feedback"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// monitorConfig is a configuration with the committed demo model, the
// given cameras and a monitor section.
func monitorConfig(t *testing.T, cams, extra string) *config.Config {
	t.Helper()
	y := fmt.Sprintf(`
version: 1
device_id: test-dev
data_dir: %q
cameras:
%s
model:
  path: %q
  top_k: 5
http: {listen: "127.0.0.1:0"}
%s`, filepath.Join(t.TempDir(), "state"), cams, demoModel, extra)
	c, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatalf("config.Parse = %v\n%s", err, y)
	}
	return c
}

func subscribe(t *testing.T, broker *mosquittotest.Broker, topic string, fn func([]byte)) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).SetClientID("sub-" + strings.NewReplacer("/", "-", "+", "any", "#", "all").Replace(topic)))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(0) })
	if tok := c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) { fn(m.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe %s: %v", topic, tok.Error())
	}
	return c
}

func post(t *testing.T, url, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// TestMonitorEndToEnd runs the agent with the synthetic camera (whose
// brightness drifts from frame 450), the demo model, the monitor and a
// real mosquitto: the drift alarm and the retraining trigger arrive on
// fovea/test-dev/events and no event comes before the drift; feedback
// over HTTP and over the MQTT command is scored and stored; metrics and
// the status show the alarm.
func TestMonitorEndToEnd(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	cfg := monitorConfig(t, `  - {id: shapes, uri: "synthetic:seed=3&drift=brightness&drift_at=450&fps=200", on_full: wait}`,
		"mqtt:\n  broker: "+broker.URL()+"\nmonitor:\n  enabled: true\n  warm_up: 200\n  window: 100\n  persist: 10\n  embedding: pool\n"+
			"  retrain_cooldown: 30m\n  capture:\n    max_side: 32\n    max_per_hour: 4\n    ttl: 24h\n    cameras:\n      - id: shapes\n        rules: {drift: true}\n        masks: [{x: 0, y: 0, w: 8, h: 8}]\n")
	var mu sync.Mutex
	var events []EventMessage
	var replies []mqttsync.Reply
	subscribe(t, broker, "fovea/test-dev/events", func(b []byte) {
		var ev EventMessage
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("event payload %s: %v", b, err)
		}
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	})
	cmd := subscribe(t, broker, "fovea/test-dev/cmd/feedback/reply", func(b []byte) {
		var r mqttsync.Reply
		if err := json.Unmarshal(b, &r); err != nil {
			t.Errorf("reply payload %s: %v", b, err)
		}
		mu.Lock()
		replies = append(replies, r)
		mu.Unlock()
	})

	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := started(t, a)
	base := "http://" + addr
	waitFor(t, "800 results", func() bool { return a.results.Load() >= 800 })
	waitFor(t, "a drift alarm and a retrain trigger on MQTT", func() bool {
		mu.Lock()
		defer mu.Unlock()
		kinds := map[string]bool{}
		for _, ev := range events {
			kinds[ev.Kind] = true
		}
		return kinds[monitor.KindDrift] && kinds[monitor.KindRetrain]
	})
	mu.Lock()
	for _, ev := range events {
		if ev.Device != "test-dev" || ev.Camera != "shapes" || ev.V != 1 {
			t.Errorf("event %+v; want device test-dev, camera shapes, v 1", ev)
		}
		// Results are in frame order (one worker, no drops): outbox seq n
		// is frame n, and the first drifted frame is 450.
		if ev.Window.LastSeq < 450 {
			t.Errorf("event before the drift (false alarm): %+v", ev)
		}
	}
	first := events[0]
	mu.Unlock()
	if first.Kind != monitor.KindDrift || first.State != monitor.StateRaised || first.Values["score"] < first.Thresholds.Raise {
		t.Errorf("first event %+v; want a raised drift alarm above its threshold", first)
	}

	// Feedback over HTTP: the content type is required; unknown results
	// are 404.
	if code, body := post(t, base+"/api/feedback", "text/plain", `{"camera":"shapes","seq":790,"label":"star"}`); code != http.StatusUnsupportedMediaType {
		t.Errorf("POST without JSON content type = %d %q; want 415", code, body)
	}
	if code, body := post(t, base+"/api/feedback", "application/json", `{"camera":"shapes","seq":999999,"label":"star"}`); code != http.StatusNotFound {
		t.Errorf("POST for an unknown seq = %d %q; want 404", code, body)
	}
	if code, body := post(t, base+"/api/feedback", "application/json", `{"camera":"shapes","seq":0,"label":"star"}`); code != http.StatusBadRequest {
		t.Errorf("POST with seq 0 = %d %q; want 400", code, body)
	}
	code, body := post(t, base+"/api/feedback", "application/json", `{"camera":"shapes","seq":790,"label":"star","operator":"ana"}`)
	var l feedback.Label
	if code != http.StatusOK || json.Unmarshal([]byte(body), &l) != nil || l.Seq != 790 || l.Predicted == "" || l.Operator != "ana" {
		t.Fatalf("POST /api/feedback = %d %q; want 200 with the stored label and the prediction", code, body)
	}

	// Feedback over the MQTT command.
	if tok := cmd.Publish("fovea/test-dev/cmd/feedback", 1, false, `{"id":"f1","args":{"camera":"shapes","seq":791,"label":"circle"}}`); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	waitFor(t, "the feedback reply", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(replies) > 0
	})
	mu.Lock()
	if r := replies[0]; !r.OK || r.ID != "f1" {
		t.Errorf("feedback reply %+v; want ok", r)
	}
	mu.Unlock()

	code, metrics := get(t, base+"/metrics")
	for _, want := range []string{`fovea_drift_score{camera="shapes",test="brightness"}`, `fovea_alarm{camera="shapes",kind="drift"}`,
		`fovea_accuracy_estimate{camera="shapes",method="atc"}`, `fovea_feedback_accuracy_ratio{camera="shapes"}`,
		`fovea_drift_score{camera="shapes",test="embedding"}`} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Samples captured while the drift alarm was raised: listed, fetched
	// over HTTP (local) and over the MQTT pull command, deleted.
	waitFor(t, "4 captured samples", func() bool { return a.mon.m.Capturer().Stats().Captured == 4 })
	var list struct{ Samples []capture.Sample }
	waitFor(t, "4 stored samples", func() bool {
		_, body := get(t, base+"/api/samples")
		return json.Unmarshal([]byte(body), &list) == nil && len(list.Samples) == 4
	})
	s0 := list.Samples[0]
	if p := s0.Provenance; p.Rule != capture.RuleDrift || p.Width != 32 || p.Masks != 1 || p.Device != "test-dev" || p.ConfigHash != cfg.Hash() {
		t.Errorf("sample provenance %+v", p)
	}
	code, pic := get(t, base+"/api/samples/"+s0.ID+".png")
	if img, err := png.Decode(strings.NewReader(pic)); code != 200 || err != nil || img.Bounds().Dx() != 32 {
		t.Errorf("GET sample png = %d, %v", code, err)
	}
	var got []mqttsync.Reply
	subscribe(t, broker, "fovea/test-dev/cmd/samples/+/reply", func(b []byte) {
		var r mqttsync.Reply
		json.Unmarshal(b, &r)
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
	})
	for _, c := range []string{"get", "delete"} {
		if tok := cmd.Publish("fovea/test-dev/cmd/samples/"+c, 1, false, `{"id":"s-`+c+`","args":{"id":"`+s0.ID+`"}}`); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
	}
	waitFor(t, "samples/get and samples/delete replies", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 2
	})
	mu.Lock()
	for _, r := range got {
		if !r.OK {
			t.Errorf("reply %+v; want ok", r)
		}
		if r.ID == "s-get" {
			b, _ := json.Marshal(r.Result)
			var d SampleData
			if json.Unmarshal(b, &d) != nil || len(d.PNG) != len(pic) || d.ID != s0.ID {
				t.Errorf("samples/get returned %d PNG bytes for %q; want %d for %q", len(d.PNG), d.ID, len(pic), s0.ID)
			}
		}
	}
	mu.Unlock()
	if code, _ := get(t, base+"/api/samples/"+s0.ID+".png"); code != http.StatusNotFound {
		t.Errorf("GET a deleted sample = %d; want 404", code)
	}

	// History: Run took a first point at start; one more now.
	a.mon.sample(time.Now().Add(time.Second))
	var hist []CameraHistory
	if _, body := get(t, base+"/api/monitor/history"); json.Unmarshal([]byte(body), &hist) != nil || len(hist) != 1 ||
		len(hist[0].Points) < 2 || hist[0].Points[len(hist[0].Points)-1].ResultsPerS <= 0 ||
		hist[0].Points[len(hist[0].Points)-1].DriftLevel < 1 || len(hist[0].Classes) == 0 {
		t.Errorf("/api/monitor/history = %s; want points with a result rate, a drift level ≥ 1 and class counts", body)
	}

	var st Status
	if _, body := get(t, base+"/api/status"); json.Unmarshal([]byte(body), &st) != nil || st.Monitor == nil ||
		len(st.Monitor.Alarms) == 0 || st.Monitor.Labels != 2 {
		t.Errorf("/api/status monitor = %+v; want raised alarms and 2 feedback labels", st.Monitor)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	// Both labels are durable.
	s, err := openFeedbackStore(filepath.Join(cfg.DataDir, FeedbackFile))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var stored []feedback.Label
	s.List("shapes", func(l feedback.Label) bool { stored = append(stored, l); return true })
	if len(stored) != 2 || stored[0].Seq != 790 || stored[1].Seq != 791 || stored[1].Label != "circle" {
		t.Errorf("stored labels %+v; want seqs 790 and 791", stored)
	}
}

// TestMonitorBlackCameraNotReady shows a camera that delivers only black
// frames: /readyz must say 503 and why, while the frames keep coming.
func TestMonitorBlackCameraNotReady(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p+3] = 255
		}
		img.Set(i, i, color.RGBA{1, 1, 1, 255}) // three different black frames
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("black%d.png", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := monitorConfig(t, `  - {id: lens, uri: "dir:`+dir+`", loop: true, fps: 50}`,
		"monitor:\n  enabled: true\n  broken_frames: 5\n")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := started(t, a)
	waitFor(t, "/readyz to report the black camera", func() bool {
		code, body := get(t, "http://"+addr+"/readyz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, "camera lens: black frames")
	})
}

// TestMonitorEmbeddingOptional names a tensor the model lacks: the agent
// still starts, without the embedding test; the demo model's "pool" is
// kept.
func TestMonitorEmbeddingOptional(t *testing.T) {
	for _, tc := range []struct {
		tensor string
		keep   bool
	}{{"pool", true}, {"no-such-tensor", false}} {
		cfg := monitorConfig(t, `  - {id: shapes, uri: "synthetic:seed=3"}`, "monitor:\n  enabled: true\n  embedding: "+tc.tensor+"\n")
		a, err := New(cfg, Options{})
		if err != nil {
			t.Fatalf("embedding %s: New = %v", tc.tensor, err)
		}
		if got := a.Models().Active().Keep != nil; got != tc.keep {
			t.Errorf("embedding %s: kept = %v; want %v", tc.tensor, got, tc.keep)
		}
	}
}

// TestMonitorRestoresLabels starts an agent whose data directory holds
// labels from an earlier run: they count towards online accuracy again.
func TestMonitorRestoresLabels(t *testing.T) {
	cfg := monitorConfig(t, `  - {id: shapes, uri: "synthetic:seed=3", fps: 20}`, "monitor:\n  enabled: true\n")
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	st, err := openFeedbackStore(filepath.Join(cfg.DataDir, FeedbackFile))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range [][2]string{{"star", "star"}, {"circle", "square"}, {"empty", "empty"}} {
		if err := st.Put(feedback.Label{Device: "test-dev", Camera: "shapes", Seq: uint64(i + 1), Label: l[0], Predicted: l[1]}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := started(t, a)
	var s Status
	if _, body := get(t, "http://"+addr+"/api/status"); json.Unmarshal([]byte(body), &s) != nil || s.Monitor == nil ||
		len(s.Monitor.Cameras) != 1 || s.Monitor.Cameras[0].Labels != 3 || *s.Monitor.Cameras[0].Accuracy != 2.0/3 {
		t.Errorf("/api/status monitor = %+v; want 3 restored labels, accuracy 2/3", s.Monitor)
	}
}

// TestObservationShadow runs a shadow candidate (the same demo model) and
// checks that every observation carries the shadow's top-1 label, which
// the monitor's disagreement capture rule compares with the active one.
func TestObservationShadow(t *testing.T) {
	cfg := monitorConfig(t, `  - {id: shapes, uri: "synthetic:seed=5&count=40", on_full: wait}`, "")
	var mu sync.Mutex
	var seen, agree int
	a, err := New(cfg, Options{Observers: []Observer{ObserverFunc(func(o *Observation) {
		mu.Lock()
		defer mu.Unlock()
		seen++
		if o.Shadow != "" && o.Shadow == o.Pred.Top[0].Label {
			agree++
		}
	})}})
	if err != nil {
		t.Fatal(err)
	}
	cand, err := a.Models().Load(demoModel, "", ModelRef{Name: "candidate"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Models().SetShadow(cand, func(ShadowResult) {}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen != 40 || agree != 40 {
		t.Errorf("%d observations, %d with the shadow's (identical) top-1; want 40 and 40", seen, agree)
	}
}
