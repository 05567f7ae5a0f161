package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// foveaBin is the fovea binary built once for the end-to-end tests, which
// run it as a real process (signals, exit codes, stdout).
var foveaBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fovea-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	foveaBin = filepath.Join(dir, "fovea")
	out, err := exec.Command("go", "build", "-o", foveaBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building fovea: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func fovea(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(foveaBin, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// imagenetSubset links n ImageNet photos (every 30th, for variety) into a
// fresh folder.
func imagenetSubset(t *testing.T, n int) (dir string, paths []string) {
	t.Helper()
	src := sharedtest.Dir(t, "images", "imagenet")
	all, err := filepath.Glob(filepath.Join(src, "*.JPEG"))
	if err != nil || len(all) < n {
		t.Fatalf("want %d JPEGs in %s, found %d (%v)", n, src, len(all), err)
	}
	dir = t.TempDir()
	for i := 0; len(paths) < n; i += len(all) / n {
		p := filepath.Join(dir, filepath.Base(all[i]))
		if err := os.Symlink(all[i], p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return dir, paths
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fovea.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type outboxEntry struct {
	seq uint64
	rec record.Record
}

// outboxEntries returns every record in the outbox of dataDir, in order.
func outboxEntries(t *testing.T, dataDir string) []outboxEntry {
	t.Helper()
	box, err := outbox.OpenReadOnly(filepath.Join(dataDir, agent.OutboxFile), outbox.Options{})
	if err != nil {
		t.Fatalf("opening the outbox: %v", err)
	}
	defer box.Close()
	var out []outboxEntry
	for after := uint64(0); ; {
		es, err := box.Read(after, 1000, 16<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			return out
		}
		for _, e := range es {
			r, err := record.Decode(e.Value)
			if err != nil {
				t.Fatalf("outbox seq %d: %v", e.Seq, err)
			}
			out = append(out, outboxEntry{e.Seq, r})
			after = e.Seq
		}
	}
}

func outboxRecords(t *testing.T, dataDir string) []record.Record {
	t.Helper()
	var recs []record.Record
	for _, e := range outboxEntries(t, dataDir) {
		recs = append(recs, e.rec)
	}
	return recs
}

// TestRunMatchesClassify: `fovea run` over a folder of ImageNet photos
// with the quantized MobileNet v2 writes one result per photo whose top-1
// is what `fovea classify` says for the same file.
func TestRunMatchesClassify(t *testing.T) {
	g := sharedtest.Dir(t, "golden")
	model := filepath.Join(g, "models", "mobilenet_v2_1.0_224_quant.tflite")
	labels := filepath.Join(g, "labels", "imagenet_labels.txt")
	dir, paths := imagenetSubset(t, 8)
	data := filepath.Join(t.TempDir(), "state")
	cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: e2e
data_dir: %q
cameras:
  - {id: imagenet, uri: "dir:%s", on_full: wait}
model: {path: %q, labels: %q, top_k: 5}
pipeline: {workers: 2}
http: {listen: "off"}
`, data, dir, model, labels))

	stdout, stderr, err := fovea(t, "run", "--config", cfg, "--print")
	if err != nil {
		t.Fatalf("fovea run: %v\nstderr:\n%s", err, stderr)
	}
	// A header, one line per result, the summary.
	if n := strings.Count(stdout, "\n"); n != len(paths)+2 {
		t.Errorf("fovea run --print printed %d lines; want %d:\n%s", n, len(paths)+2, stdout)
	}
	got := map[string]record.Class{}
	for _, r := range outboxRecords(t, data) {
		if _, dup := got[r.Frame]; dup {
			t.Errorf("frame %s has two results", r.Frame)
		}
		got[r.Frame] = r.Top[0]
	}

	out, stderr, err := fovea(t, append([]string{"classify", "--model", model, "--labels", labels, "--json"}, paths...)...)
	if err != nil {
		t.Fatalf("fovea classify: %v\n%s", err, stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var n int
	for sc.Scan() {
		var line struct {
			Path string `json:"path"`
			Top  []record.Class
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || len(line.Top) == 0 {
			t.Fatalf("fovea classify printed %q: %v", sc.Text(), err)
		}
		n++
		name := filepath.Base(line.Path)
		r, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: no result from fovea run", name)
		case r.Index != line.Top[0].Index || r.Label != line.Top[0].Label:
			t.Errorf("%s: fovea run top-1 = %d %q; fovea classify = %d %q", name, r.Index, r.Label, line.Top[0].Index, line.Top[0].Label)
		}
	}
	if n != len(paths) || len(got) != len(paths) {
		t.Errorf("classify gave %d answers and run %d results; want %d each", n, len(got), len(paths))
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRunSIGTERM: SIGTERM stops a running agent cleanly (exit status 0),
// and every result it reported is in the outbox afterwards.
func TestRunSIGTERM(t *testing.T) {
	g := sharedtest.Dir(t, "golden")
	dir, _ := imagenetSubset(t, 3)
	data := filepath.Join(t.TempDir(), "state")
	addr := freePort(t)
	cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: e2e
data_dir: %q
cameras:
  - {id: loop, uri: "dir:%s", loop: true, fps: 30}
model: {path: %q, labels: %q}
http: {listen: %q}
`, data, dir, filepath.Join(g, "models", "mobilenet_v1_0.25_128_quant.tflite"), filepath.Join(g, "labels", "imagenet_labels.txt"), addr))

	var stderr bytes.Buffer
	cmd := exec.Command(foveaBin, "run", "--config", cfg)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })

	var st agent.Status
	deadline := time.Now().Add(60 * time.Second)
	for st.Results < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("no 5 results within 60s; stderr:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
		resp, err := http.Get("http://" + addr + "/api/status")
		if err != nil {
			continue
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("/api/status: %v", err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("fovea run after SIGTERM: %v; want exit status 0\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("fovea run did not stop within 60s of SIGTERM\n%s", stderr.String())
	}
	if n := len(outboxRecords(t, data)); uint64(n) < st.Results {
		t.Errorf("outbox holds %d records; the agent had reported %d durable results before SIGTERM", n, st.Results)
	}
	if !strings.Contains(stderr.String(), "outbox flushed and closed") {
		t.Errorf("log lacks the clean-shutdown line:\n%s", stderr.String())
	}
}

// TestConfigCheckCommand runs `fovea config check` on good and bad files:
// it loads the model and checks camera URIs, says which camera backends
// the binary has, and its errors name keys without Go call chains.
func TestConfigCheckCommand(t *testing.T) {
	model, err := filepath.Abs("../../testdata/models/shapes.tflite")
	if err != nil {
		t.Fatal(err)
	}
	good := writeConfig(t, "version: 1\ndevice_id: d\ncameras: [{id: a, uri: \"synthetic:seed=1\"}]\nmodel: {path: "+model+"}\n")
	bad := writeConfig(t, "version: 1\ndevice_id: d\ncameras: [{id: a, uri: x, fsp: 2}]\nmodel: {top_k: 0, threads: -2}\n")
	typo := writeConfig(t, "version: 1\ndevice_id: d\ncameras: [{id: a, uri: \"dir:.\", fps: twenty}]\nmodel: {path: m}\n")
	deep := writeConfig(t, `version: 1
device_id: d
cameras:
  - {id: a, uri: "foo:bar"}
  - {id: b, uri: "rtsp://cam.local/stream"}
  - {id: c, uri: "opencv:/dev/video0"}
  - {id: d, uri: "synthetic:size=3"}
model: {path: /nonexistent/m.tflite}
`)
	tests := []struct {
		name    string
		file    string
		ok      bool
		want    []string
		wantErr []string
	}{
		{"good", good, true, []string{"OK " + good, "model " + model + ": shapes, input [1 64 64 3] int8"}, nil},
		{"bad", bad, false, nil, []string{`line 3: cameras[0].fsp: unknown key`, "cameras[0] (a).uri", "model.path: missing", "model.threads"}},
		{"type error", typo, false, nil, []string{`cameras[0].fps: "twenty" is not a number`}},
		{"deep", deep, false, nil, []string{
			"model.path: stat /nonexistent/m.tflite: no such file",
			`cameras[0] (a).uri "foo:bar": unknown camera scheme "foo" (schemes in this build: dir, mjpeg, synthetic)`,
			"write opencv:rtsp://cam.local/stream; opencv: use the OpenCV build of fovea",
			`cameras[2] (c).uri "opencv:/dev/video0": camera backend not included in this build: opencv: use the OpenCV build`,
			`cameras[3] (d).uri "synthetic:size=3"`,
		}},
		{"missing", filepath.Join(t.TempDir(), "none.yaml"), false, nil, []string{"no such file"}},
	}
	for _, tt := range tests {
		stdout, stderr, err := fovea(t, "config", "check", tt.file)
		if (err == nil) != tt.ok {
			t.Errorf("%s: fovea config check: err = %v; want ok=%v\n%s", tt.name, err, tt.ok, stderr)
		}
		if want := "camera backends in this build: dir, mjpeg, synthetic; not included: opencv"; !strings.Contains(stdout, want) {
			t.Errorf("%s: stdout %q lacks %q", tt.name, stdout, want)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: stdout %q lacks %q", tt.name, stdout, w)
			}
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", tt.name, stderr, w)
			}
		}
		if m := goOp.FindString(stderr); m != "" && !tt.ok {
			t.Errorf("%s: stderr shows the Go call chain %q:\n%s", tt.name, m, stderr)
		}
	}
}

// TestConfigShowCommand: show prints the defaults it fills in, not zeros.
func TestConfigShowCommand(t *testing.T) {
	f := writeConfig(t, "version: 1\ndevice_id: d\ncameras: [{id: a, uri: \"synthetic:seed=1\"}]\nmodel: {path: m.tflite}\nmqtt: {broker: \"mqtt://127.0.0.1\"}\n")
	out, stderr, err := fovea(t, "config", "show", f)
	if err != nil {
		t.Fatalf("fovea config show: %v\n%s", err, stderr)
	}
	for _, w := range []string{"max_bytes: 128MiB", "max_records: 1000000", "commit_interval: 100ms", "commit_batch: 256",
		"broker: mqtt://127.0.0.1:1883", "keepalive: 30s", "topic_prefix: fovea/d/", "batch_records: 1000", "stale_after: 10s"} {
		if !strings.Contains(out, w) {
			t.Errorf("fovea config show lacks %q:\n%s", w, out)
		}
	}
}

// TestVersionCommand: a build without the opencv tag lists only the
// camera schemes it can open; opencv appears as not included.
func TestVersionCommand(t *testing.T) {
	out, _, err := fovea(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"fovea ", "go1.", "engines:  go", "cameras:  dir, mjpeg, synthetic; not included: opencv"} {
		if !strings.Contains(out, w) {
			t.Errorf("fovea version = %q; lacks %q", out, w)
		}
	}
}
