package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const minimal = `
version: 1
device_id: dev1
cameras:
  - id: cam0
    uri: "dir:./frames"
model:
  path: m.tflite
`

func TestParseDefaults(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatalf("Parse(minimal) = %v; want nil", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"data_dir", c.DataDir, DefaultDataDir},
		{"model.engine", c.Model.Engine, DefaultEngine},
		{"model.threads", c.Model.Threads, DefaultThreads},
		{"model.top_k", c.Model.TopK, DefaultTopK},
		{"model.resize", c.Model.Resize, DefaultResize},
		{"pipeline.queue_size", c.Pipeline.QueueSize, DefaultQueueSize},
		{"pipeline.workers", c.Pipeline.Workers, DefaultWorkers},
		{"pipeline.stale_after", c.Pipeline.StaleAfter.D(), DefaultStaleAfter},
		{"http.listen", c.HTTP.Listen, DefaultListen},
		{"log.level", c.Log.Level, DefaultLogLevel},
		{"log.format", c.Log.Format, DefaultLogFormat},
		{"camera fps", c.Cameras[0].FPS, 0.0},
		{"roi empty", c.Cameras[0].ROI.Empty(), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseValues(t *testing.T) {
	c, err := Parse([]byte(minimal + `
pipeline:
  stale_after: 1500ms
outbox:
  max_bytes: 64MiB
  max_records: 1000
  commit_interval: 20ms
  commit_batch: 64
http:
  listen: "off"
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if got, want := c.Pipeline.StaleAfter.D(), 1500*time.Millisecond; got != want {
		t.Errorf("stale_after = %v; want %v", got, want)
	}
	if got, want := int64(c.Outbox.MaxBytes), int64(64<<20); got != want {
		t.Errorf("max_bytes = %d; want %d", got, want)
	}
	if got := c.Outbox.CommitInterval.D(); got != 20*time.Millisecond {
		t.Errorf("commit_interval = %v; want 20ms", got)
	}
	if c.HTTP.Enabled() {
		t.Errorf("http.listen off: Enabled() = true; want false")
	}
}

// TestParseErrors checks that each bad file is refused with a message that
// names every problem.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings that must all appear
		is   error
	}{
		{"empty", "", []string{"no YAML document"}, ErrEmpty},
		{"no version", "device_id: x\n", []string{"'version: 1' is missing"}, ErrVersion},
		{"future version", "version: 2\n", []string{"version 2", "reads version 1"}, ErrVersion},
		{"syntax", "version: 1\ncameras: [\n", []string{"YAML syntax"}, nil},
		{"unknown top key", minimal + "modle:\n  path: x\n", []string{`line 9: modle: unknown key`}, nil},
		{"unknown camera key", strings.Replace(minimal, `uri: "dir:./frames"`, "uri: \"dir:./frames\"\n    fsp: 3", 1), []string{`line 7: cameras[0].fsp: unknown key`}, nil},
		{"unknown nested keys listed together", minimal + "pipeline:\n  worker: 2\nhttp:\n  addr: x\n", []string{`line 10: pipeline.worker: unknown key`, `line 12: http.addr: unknown key`}, nil},
		{"bad duration", minimal + "pipeline:\n  stale_after: 10\n", []string{`line 10: pipeline.stale_after: "10" is not a duration`}, nil},
		{"bad size", minimal + "outbox:\n  max_bytes: lots\n", []string{`line 10: outbox.max_bytes: "lots" is not a size`}, nil},
		{"wrong type", minimal + "pipeline:\n  workers: many\n", []string{`line 10: pipeline.workers: "many" is not a whole number`}, nil},
		{"two documents", minimal + "---\nversion: 1\n", []string{"more than one YAML document"}, nil},
		{"every problem at once", `
version: 1
device_id: "bad id/1"
data_dir: " "
cameras:
  - id: a
    uri: nope
    fps: -1
    roi: {x: -1, y: 0, w: 0, h: 10}
  - id: a
    uri: "dir:x"
  - uri: "dir:y"
model:
  threads: 99
  top_k: 1000
  resize: bicubic
pipeline:
  queue_size: 5000
  workers: 100
outbox:
  max_bytes: 100
  max_records: -1
http:
  listen: "8080"
log:
  level: loud
  format: xml
`, []string{
			"device_id:", "data_dir:", "cameras[0] (a).uri", "cameras[0] (a).fps", "cameras[0] (a).roi",
			`cameras[1] (a).id: "a" is also the id of cameras[0]`, "cameras[2].id: missing",
			"model.path: missing", "model.threads", "model.top_k", `model.resize: "bicubic"`, "pipeline.queue_size", "pipeline.workers",
			"outbox.max_bytes", "outbox.max_records", "http.listen", "log.level", "log.format",
		}, ErrInvalid},
		{"no cameras", "version: 1\ndevice_id: d\nmodel: {path: m}\n", []string{"cameras: list at least one camera"}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse = nil; want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse error = %q; want it to contain %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Parse error = %v; want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestHash(t *testing.T) {
	a, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	// Spelling out a default gives the same normalised config.
	b, err := Parse([]byte(minimal + "pipeline:\n  workers: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(minimal + "pipeline:\n  workers: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() {
		t.Errorf("Hash with explicit default = %s; want %s", b.Hash(), a.Hash())
	}
	if a.Hash() == c.Hash() {
		t.Errorf("Hash with workers: 2 = %s; want it to differ from %s", c.Hash(), a.Hash())
	}
	if len(a.Hash()) != 16 {
		t.Errorf("len(Hash) = %d; want 16", len(a.Hash()))
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		ok   bool
	}{
		{"4096", 4096, true},
		{"4096B", 4096, true},
		{"64KiB", 64 << 10, true},
		{"64 MiB", 64 << 20, true},
		{"2GiB", 2 << 30, true},
		{"1KB", 1000, true},
		{"5MB", 5e6, true},
		{"1GB", 1e9, true},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"MiB", 0, false},
		{"99999999999GiB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, b := range []ByteSize{0, 1, 1023, 64 << 10, 64 << 20, 3 << 30} {
		back, err := ParseByteSize(b.String())
		if err != nil || back != b {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", b.String(), back, err, b)
		}
	}
}

// TestExampleConfigs loads every file in configs/: the examples must stay
// valid as the schema changes. Files the examples expect under /etc/fovea
// on a device (TLS material) are provided in a temporary directory.
func TestExampleConfigs(t *testing.T) {
	files, err := filepath.Glob("../../configs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d example configs in configs/; want at least 3 (demo, imagenet, camera)", len(files))
	}
	etc := t.TempDir()
	for _, name := range []string{"ca.pem", "device.pem", "device.key"} {
		if err := os.WriteFile(filepath.Join(etc, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			data = []byte(strings.ReplaceAll(string(data), "/etc/fovea/", etc+"/"))
			c, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse(%q) = %v; want nil", f, err)
			}
			if c.HTTP.Enabled() && !strings.HasPrefix(c.HTTP.Listen, "127.0.0.1:") {
				t.Errorf("Parse(%q): http.listen = %q; examples listen on loopback only", f, c.HTTP.Listen)
			}
		})
	}
}

func TestMQTTSection(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // "" = valid
	}{
		{"absent", minimal, ""},
		{"valid", minimal + "mqtt:\n  broker: mqtt://127.0.0.1:1883\n  keepalive: 10s\n", ""},
		{"bad broker", minimal + "mqtt:\n  broker: http://x\n", "mqtt.broker"},
		{"unknown key", minimal + "mqtt:\n  broker: mqtt://h:1883\n  brokr: x\n", `mqtt.brokr: unknown key`},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(tt.yaml))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Parse = %v; want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Parse = %v; want error containing %q", tt.name, err, tt.want)
		case tt.name == "valid" && c.MQTT.DeviceID != "dev1":
			t.Errorf("%s: mqtt.device_id = %q; want the top-level device_id dev1", tt.name, c.MQTT.DeviceID)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileSize+10), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.yaml"), "no such file"},
		{"too big", big, "larger than"},
	}
	for _, tt := range tests {
		_, err := Load(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v; want error containing %q", tt.path, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte("version: 1\ncameras: [{id: a, uri: 'dir:x', roi: {x: 1}}]\n"))
	f.Add([]byte("version: 1\noutbox: {max_bytes: 1GiB, commit_interval: 5ms}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("Parse returned an error with an empty message")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate refuses: %v", err)
		}
		_ = c.Hash()
	})
}

// TestParseReportsDecodeAndValidationTogether: an unknown key does not
// hide the validation problems of the rest of the file.
func TestParseReportsDecodeAndValidationTogether(t *testing.T) {
	_, err := Parse([]byte("version: 1\ndevice_id: d\ncameras: [{id: a, uri: x, fsp: 1}]\nmodel: {path: m, top_k: 0, threads: -1}\n"))
	for _, want := range []string{`cameras[0].fsp: unknown key`, "cameras[0] (a).uri", "model.threads"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse = %v; want it to contain %q", err, want)
		}
	}
}

// TestSystemdUnit checks the parts of configs/fovea.service that the
// deployment relies on.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("../../configs/fovea.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{
		"Restart=on-failure", "User=fovea", "StateDirectory=fovea", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"ExecStart=/usr/bin/fovea run --config /etc/fovea/fovea.yaml", "KillSignal=SIGTERM",
	} {
		if !strings.Contains(unit, "\n"+want+"\n") {
			t.Errorf("configs/fovea.service lacks the line %q", want)
		}
	}
}

// TestAnchorsAndMerge: a camera's settings can be shared through an
// anchor kept under an x- key and merged with "<<"; the camera's own keys
// win.
func TestAnchorsAndMerge(t *testing.T) {
	c, err := Parse([]byte(`version: 1
device_id: dev1
x-cam: &cam {uri: "synthetic:seed=1", fps: 5, on_full: wait}
x-roi: &roi {roi: {x: 1, y: 2, w: 3, h: 4}}
cameras:
  - {<<: *cam, id: a}
  - {<<: [*cam, *roi], id: b, fps: 2}
model: {path: m.tflite}
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	a, b := c.Cameras[0], c.Cameras[1]
	if a.ID != "a" || a.URI != "synthetic:seed=1" || a.FPS != 5 || a.OnFull != Wait || !a.ROI.Empty() {
		t.Errorf("cameras[0] = %+v; want the anchor's uri, fps 5, on_full wait", a)
	}
	if b.ID != "b" || b.FPS != 2 || b.OnFull != Wait || b.ROI != (ROI{1, 2, 3, 4}) {
		t.Errorf("cameras[1] = %+v; want fps 2 (its own), on_full wait and the roi merged in", b)
	}
	if _, err := Parse([]byte(minimal + "y-cam: 1\n")); err == nil || !strings.Contains(err.Error(), "y-cam: unknown key") {
		t.Errorf("Parse with y-cam = %v; only x- keys are ignored", err)
	}
}
