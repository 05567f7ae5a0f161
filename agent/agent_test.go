package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
)

// TestRunFolderOnce classifies a folder read once, with one unreadable
// image in it: every good image yields exactly one durable result equal to
// the Classifier's answer for that file, the bad one is skipped and
// counted, and Run returns nil once the source has ended.
func TestRunFolderOnce(t *testing.T) {
	dir, names := imageSubset(t, 5)
	if err := os.WriteFile(filepath.Join(dir, "zz_broken.jpg"), []byte("not a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, `  - {id: folder, uri: "dir:`+dir+`", on_full: wait}`, "pipeline: {workers: 2}")
	var results []Result
	resCh := make(chan Result, 100)
	a, err := New(cfg, Options{OnResult: func(r Result) { resCh <- r }})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v; want nil after the folder ended", err)
	}
	close(resCh)
	for r := range resCh {
		results = append(results, r)
	}
	recs := readOutbox(t, cfg.DataDir)
	if got := frames(recs); !slices.Equal(got, names) {
		t.Fatalf("frames in outbox = %v; want %v", got, names)
	}
	if len(results) != len(recs) {
		t.Errorf("OnResult called %d times; want %d", len(results), len(recs))
	}

	// The same answer as a Classifier on the decoded file.
	m, err := infer.Open(cfg.Model.Path, infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labels, err := infer.ReadLabels(cfg.Model.Labels)
	if err != nil {
		t.Fatal(err)
	}
	clf, err := infer.NewClassifier(m, infer.ClassifierOptions{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		img, err := imgio.DecodeFile(filepath.Join(dir, r.Frame))
		if err != nil {
			t.Fatal(err)
		}
		p, err := clf.Classify(context.Background(), img, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r.Top[0].Index != p.Top[0].Index || r.Top[0].Label != p.Top[0].Label {
			t.Errorf("%s: agent top-1 = %d %q; Classifier says %d %q", r.Frame, r.Top[0].Index, r.Top[0].Label, p.Top[0].Index, p.Top[0].Label)
		}
		if r.Device != "test-dev" || r.Camera != "folder" || r.Config != cfg.Hash() || r.Model.SHA256 != m.Info().SHA256 || len(r.Top) != 3 {
			t.Errorf("%s: record = %+v; want device test-dev, camera folder, config %s, model sha %s, 3 classes", r.Frame, r, cfg.Hash(), m.Info().SHA256)
		}
		if r.LatencyUS.Invoke <= 0 || r.MonoUS <= 0 || r.Wall.IsZero() {
			t.Errorf("%s: latency %+v, mono %d, wall %v; want all set", r.Frame, r.LatencyUS, r.MonoUS, r.Wall)
		}
	}
	st := a.Status()
	if c := st.Cameras[0]; c.Skipped != 1 || c.Results != uint64(len(names)) || c.Dropped != 0 || c.State != "ended" {
		t.Errorf("camera status = %+v; want skipped 1, results %d, dropped 0, state ended", c, len(names))
	}
}

// TestHTTPEndpoints runs a looping folder camera and checks each endpoint.
func TestHTTPEndpoints(t *testing.T) {
	dir, _ := imageSubset(t, 3)
	cfg := testConfig(t, `  - {id: loop, uri: "dir:`+dir+`", loop: true, fps: 50}`, "")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := started(t, a)
	base := "http://" + addr
	waitFor(t, "3 results", func() bool { return a.Status().Results >= 3 })

	if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q; want 200 ok", code, body)
	}
	waitFor(t, "readiness", func() bool { code, _ := get(t, base+"/readyz"); return code == 200 })

	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{
		`fovea_frames_captured_total{camera="loop"}`,
		`fovea_frames_dropped_total{camera="loop",reason="queue"}`,
		`fovea_inference_duration_seconds_bucket{stage="invoke"`,
		`fovea_results_total{camera="loop",label=`,
		`fovea_outbox_records `,
		`fovea_outbox_evicted_total 0`,
		`fovea_camera_reconnects_total{camera="loop"} 0`,
		`fovea_camera_up{camera="loop"} 1`,
		`fovea_outbox_writable 1`,
		`fovea_model_info{engine="go",name="mobilenet_v1_0.25_128_quant"`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	code, body := get(t, base+"/api/status")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("/api/status = %d, %v:\n%s", code, err, body)
	}
	if st.Device != "test-dev" || len(st.Cameras) != 1 || st.Cameras[0].Latest == nil || st.Outbox.Records == 0 || st.Model.Classes != 1001 {
		t.Errorf("/api/status = %+v; want device, one camera with a latest result, records in the outbox, 1001 classes", st)
	}
	tel := a.Telemetry()
	var labelled uint64
	for _, n := range tel.Cameras[0].Labels {
		labelled += n
	}
	if c := tel.Cameras[0]; labelled != c.Results || c.FPS <= 0 || tel.LatencyMS == nil || tel.LatencyMS.N == 0 || tel.LatencyMS.P50 <= 0 || tel.LatencyMS.P99 < tel.LatencyMS.P50 {
		t.Errorf("Telemetry = %+v, latency %+v; want label counts summing to %d results, fps > 0, ordered percentiles", c, tel.LatencyMS, c.Results)
	}
	if err := stop(); err != nil {
		t.Errorf("Run after cancel = %v; want nil", err)
	}
	// Every result reported is durable: the outbox holds at least as many.
	if n, recs := a.Status().Results, readOutbox(t, cfg.DataDir); uint64(len(recs)) != n {
		t.Errorf("outbox holds %d records after shutdown; the agent reported %d results", len(recs), n)
	}
}

// TestMaxResults stops the agent after exactly N results: N stored in the
// outbox and N reported, however many workers had frames in hand.
func TestMaxResults(t *testing.T) {
	dir, _ := imageSubset(t, 2)
	tests := []struct {
		workers int
		n       uint64
	}{{1, 4}, {2, 5}, {4, 7}, {3, 1}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("workers=%d,n=%d", tt.workers, tt.n), func(t *testing.T) {
			cfg := testConfig(t, `  - {id: loop, uri: "dir:`+dir+`", loop: true}
  - {id: loop2, uri: "dir:`+dir+`", loop: true}`, fmt.Sprintf("http: {listen: \"off\"}\npipeline: {workers: %d, queue_size: 8}", tt.workers))
			var reported atomic.Uint64
			a, err := New(cfg, Options{MaxResults: tt.n, OnResult: func(Result) { reported.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Run(context.Background()); err != nil {
				t.Fatalf("Run = %v", err)
			}
			if got := reported.Load(); got != tt.n {
				t.Errorf("OnResult called %d times; want exactly %d", got, tt.n)
			}
			if got := len(readOutbox(t, cfg.DataDir)); uint64(got) != tt.n {
				t.Errorf("outbox holds %d records; want exactly %d", got, tt.n)
			}
		})
	}
}

// TestFailedCameraKeepsAgentRunning: a camera that cannot be opened is a
// health state and a metric while the other camera works; when every
// camera has failed, Run returns an error naming each.
func TestFailedCameraKeepsAgentRunning(t *testing.T) {
	dir, _ := imageSubset(t, 2)
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	cfg := testConfig(t, `  - {id: good, uri: "dir:`+dir+`", loop: true, fps: 20}
  - {id: gone, uri: "dir:`+missing+`"}
  - {id: nobackend, uri: "v4l9:/dev/video42"}
  - {id: usb, uri: "opencv:/dev/video42"}`, "")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := started(t, a)
	waitFor(t, "a result from the good camera", func() bool { return a.Status().Results >= 1 })
	waitFor(t, "both bad cameras failed", func() bool {
		st := a.Status()
		return st.Cameras[1].State == stateFailed && st.Cameras[2].State == stateFailed
	})
	// A USB camera that is not plugged in: without the opencv build tag
	// the backend is missing (failed, saying how to rebuild); with it the
	// device is missing and the agent keeps retrying. Either way it is a
	// health state with the reason, and the agent runs on.
	waitFor(t, "the usb camera reported", func() bool {
		c := a.Status().Cameras[3]
		return (c.State == stateFailed || c.State == stateRetrying) && c.LastError != ""
	})
	if c := a.Status().Cameras[3]; !strings.Contains(c.LastError, "video42") && !strings.Contains(c.LastError, "rebuild") {
		t.Errorf("usb camera last_error = %q; want it to name the device or say how to rebuild", c.LastError)
	}
	code, body := get(t, "http://"+addr+"/readyz")
	if code != 503 || !strings.Contains(body, "camera gone: failed") || !strings.Contains(body, "no-such-folder") || !strings.Contains(body, "unknown camera scheme") || !strings.Contains(body, "camera usb:") {
		t.Errorf("/readyz = %d %q; want 503 naming both failed cameras and why", code, body)
	}
	_, metrics := get(t, "http://"+addr+"/metrics")
	for _, want := range []string{`fovea_camera_state{camera="gone",state="failed"} 1`, `fovea_camera_errors_total{camera="gone"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Run = %v; want nil (one camera was working)", err)
	}

	only := testConfig(t, `  - {id: gone, uri: "dir:`+missing+`"}`, "http: {listen: \"off\"}")
	a2, err := New(only, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = a2.Run(context.Background())
	if !errors.Is(err, ErrCamerasFailed) || !strings.Contains(err.Error(), "no-such-folder") {
		t.Errorf("Run with only a missing folder = %v; want ErrCamerasFailed naming the folder", err)
	}
}

// TestBadInput: each bad input is a clear error, never a panic.
func TestBadInput(t *testing.T) {
	dir, _ := imageSubset(t, 1)
	cam := `  - {id: c, uri: "dir:` + dir + `"}`
	garbage := filepath.Join(t.TempDir(), "garbage.tflite")
	if err := os.WriteFile(garbage, []byte("this is not a flatbuffer, just text"), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*config.Config)
		want   []string
		is     error
	}{
		{"corrupt model", func(c *config.Config) { c.Model.Path = garbage }, []string{"model.path", "garbage.tflite"}, infer.ErrMalformed},
		{"missing model", func(c *config.Config) { c.Model.Path = filepath.Join(dir, "nope.tflite") }, []string{"model.path", "no such file"}, os.ErrNotExist},
		{"missing labels", func(c *config.Config) { c.Model.Labels = filepath.Join(dir, "nope.txt") }, []string{"model.labels"}, os.ErrNotExist},
		{"unknown engine", func(c *config.Config) { c.Model.Engine = "tflite_c" }, []string{"tflite_c"}, infer.ErrUnavailable},
		{"invalid config", func(c *config.Config) { c.Pipeline.Workers = 0; c.Cameras[0].URI = "nocolon" }, []string{"pipeline.workers", "cameras[0] (c).uri"}, config.ErrInvalid},
		{"data dir is a file", func(c *config.Config) { c.DataDir = filepath.Join(notDir, "state") }, []string{"data_dir", notDir}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, cam, "http: {listen: \"off\"}")
			tt.modify(cfg)
			a, err := New(cfg, Options{})
			if err == nil {
				err = a.Run(context.Background())
			}
			if err == nil {
				t.Fatalf("New+Run = nil; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

// TestReadOnlyDataDir: the outbox cannot be created, and the error says
// what to fix.
func TestReadOnlyDataDir(t *testing.T) {
	dir, _ := imageSubset(t, 1)
	cfg := testConfig(t, `  - {id: c, uri: "dir:`+dir+`"}`, "http: {listen: \"off\"}")
	cfg.DataDir = readOnlyDir(t)
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "data_dir") || !strings.Contains(err.Error(), "writable") {
		t.Errorf("Run with a read-only data_dir = %v; want an error naming data_dir and saying to make it writable", err)
	}
}

func TestRunTwice(t *testing.T) {
	dir, _ := imageSubset(t, 1)
	cfg := testConfig(t, `  - {id: c, uri: "dir:`+dir+`"}`, "http: {listen: \"off\"}")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); !errors.Is(err, ErrAlreadyRun) {
		t.Errorf("second Run = %v; want ErrAlreadyRun", err)
	}
}

// TestOutboxCapEvicts: with a tiny record cap the outbox keeps the newest
// results, and every eviction shows in the status and the metrics.
func TestOutboxCapEvicts(t *testing.T) {
	dir, _ := imageSubset(t, 2)
	cfg := testConfig(t, `  - {id: loop, uri: "dir:`+dir+`", loop: true}`, "outbox: {max_records: 5, commit_interval: 5ms}")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := started(t, a)
	waitFor(t, "12 results", func() bool { return a.Status().Results >= 12 })
	st := a.Status().Outbox
	if st.Records > 5 || st.Evicted == 0 || st.Evicted != st.Appended-st.Records {
		t.Errorf("outbox status = %+v; want at most 5 records and evicted = appended - records", st)
	}
	_, metrics := get(t, "http://"+addr+"/metrics")
	if !strings.Contains(metrics, "fovea_outbox_evicted_total ") || strings.Contains(metrics, "fovea_outbox_evicted_total 0\n") {
		t.Errorf("/metrics does not count the evictions")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(readOutbox(t, cfg.DataDir)); n > 5 {
		t.Errorf("outbox holds %d records after Run; want at most 5", n)
	}
}
