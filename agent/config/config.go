// Package config reads, defaults and validates the agent's YAML
// configuration.
//
// Parsing is strict: an unknown key is an error naming the key and its
// line. Defaults live in one function, applyDefaults; Validate reports every
// problem at once. Relative paths (data_dir, model.path, model.labels and
// the locations inside camera URIs) are relative to the working directory
// of the process, as with any command-line tool; the systemd unit uses
// absolute paths.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/fovea-edge/fovea/monitor"
	"gopkg.in/yaml.v3"
)

// Version is the configuration schema version this package reads.
const Version = 1

// Config is the whole agent configuration.
type Config struct {
	// Version must be 1.
	Version int `yaml:"version" json:"version"`
	// DeviceID names this device in results and topics; default: hostname.
	DeviceID string `yaml:"device_id" json:"device_id"`
	// DataDir holds the agent's state (the outbox); default /var/lib/fovea.
	DataDir string `yaml:"data_dir" json:"data_dir"`
	// Cameras are the frame sources, at least one.
	Cameras  []Camera `yaml:"cameras" json:"cameras"`
	Model    Model    `yaml:"model" json:"model"`
	Pipeline Pipeline `yaml:"pipeline" json:"pipeline"`
	Outbox   Outbox   `yaml:"outbox" json:"outbox"`
	HTTP     HTTP     `yaml:"http" json:"http"`
	Log      Log      `yaml:"log" json:"log"`
	// MQTT enables result sync, telemetry and commands; absent = no sync.
	MQTT *MQTT `yaml:"mqtt,omitempty" json:"mqtt,omitempty"`
	// OTA enables signed model updates (ota.go); absent = none.
	OTA *OTA `yaml:"ota,omitempty" json:"ota,omitempty"`
	// Monitor enables on-device monitoring (drift, decay, broken cameras,
	// feedback labels, sample capture); absent = off. Its fields and
	// defaults are package monitor's (docs/monitoring.md).
	Monitor *monitor.Config `yaml:"monitor,omitempty" json:"monitor,omitempty"`
}

// Camera is one frame source.
type Camera struct {
	// ID names the camera in results and metrics.
	ID string `yaml:"id" json:"id"`
	// URI selects the backend by scheme: "dir:./frames",
	// "opencv:/dev/video0", "mjpeg:http://…", "synthetic:seed=1".
	URI string `yaml:"uri" json:"uri"`
	// FPS caps the frame rate; 0 = as fast as the source delivers.
	FPS float64 `yaml:"fps" json:"fps"`
	// Loop restarts finite sources (folders, files) at their end.
	Loop bool `yaml:"loop" json:"loop"`
	// ROI crops every frame before classification; empty = whole frame.
	ROI ROI `yaml:"roi" json:"roi"`
	// OnFull is what happens when the camera's queue is full: "drop_oldest"
	// (default; live cameras: the newest frame matters, drops are
	// counted) or "wait" (replays of folders and files: every frame is
	// classified, the source is paused).
	OnFull string `yaml:"on_full" json:"on_full"`
	// Width and Height request a capture size from live devices; 0 = the
	// device's default.
	Width  int `yaml:"width" json:"width"`
	Height int `yaml:"height" json:"height"`
}

// Queue policies for Camera.OnFull.
const (
	DropOldest = "drop_oldest"
	Wait       = "wait"
)

// ROI is a crop rectangle in frame pixels: top-left corner and size.
type ROI struct {
	X int `yaml:"x" json:"x"`
	Y int `yaml:"y" json:"y"`
	W int `yaml:"w" json:"w"`
	H int `yaml:"h" json:"h"`
}

// Empty reports whether no crop is configured.
func (r ROI) Empty() bool { return r.W == 0 && r.H == 0 }

// Model selects the classifier.
type Model struct {
	// Path is the .tflite file.
	Path string `yaml:"path" json:"path"`
	// Labels is a text file, one label per line (line n = class n); empty
	// uses the labels embedded in the model's metadata.
	Labels string `yaml:"labels" json:"labels"`
	// Engine names the runtime ("go", the pure-Go interpreter, by default).
	Engine string `yaml:"engine" json:"engine"`
	// Threads per interpreter for the heavy operators; default 1.
	Threads int `yaml:"threads" json:"threads"`
	// TopK is how many classes each result keeps; default 5.
	TopK int `yaml:"top_k" json:"top_k"`
	// Resize picks how frames are scaled to the model input: "pillow"
	// (pure Go, matches Pillow's BILINEAR, which most models' inputs were
	// prepared with; the default) or "opencv" (cv::resize; needs a build
	// with -tags opencv).
	Resize string `yaml:"resize" json:"resize"`
}

// Pipeline sizes the queues and workers between capture and inference.
type Pipeline struct {
	// QueueSize is the number of frames each camera's queue holds; when it
	// is full the oldest frame is dropped (and counted). Default 2.
	QueueSize int `yaml:"queue_size" json:"queue_size"`
	// Workers is the number of inference goroutines, each with its own
	// interpreter, shared by all cameras. Default 1.
	Workers int `yaml:"workers" json:"workers"`
	// StaleAfter marks a camera not ready when it has delivered no frame
	// for this long. Default 10s.
	StaleAfter Duration `yaml:"stale_after" json:"stale_after"`
}

// Outbox bounds the durable result queue. The defaults are the outbox
// package's (chosen for SD-card wear).
type Outbox struct {
	// MaxBytes caps the stored results; the oldest are evicted first.
	// Accepts plain bytes or units: 64MiB, 1GB.
	MaxBytes ByteSize `yaml:"max_bytes" json:"max_bytes"`
	// MaxRecords caps the number of stored results.
	MaxRecords int64 `yaml:"max_records" json:"max_records"`
	// CommitInterval is the longest an append waits for its group commit.
	CommitInterval Duration `yaml:"commit_interval" json:"commit_interval"`
	// CommitBatch commits early once this many appends are waiting.
	CommitBatch int `yaml:"commit_batch" json:"commit_batch"`
}

// HTTP configures the status server and the live view.
type HTTP struct {
	// Listen is host:port; default 127.0.0.1:8080, "off" disables the
	// server. Listening beyond loopback needs Auth (docs/web.md).
	Listen string `yaml:"listen" json:"listen"`
	// Auth protects every endpoint but /healthz; required beyond loopback.
	Auth HTTPAuth `yaml:"auth,omitempty" json:"auth,omitzero"`
	// TLS serves HTTPS with this certificate; empty = plain HTTP.
	TLS HTTPTLS `yaml:"tls,omitempty" json:"tls,omitzero"`
}

// Enabled reports whether the status server should run.
func (h HTTP) Enabled() bool { return h.Listen != ListenOff }

// ListenOff disables the HTTP server.
const ListenOff = "off"

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error; default info.
	Level string `yaml:"level" json:"level"`
	// Format is text or json; default text.
	Format string `yaml:"format" json:"format"`
}

// Hash identifies the normalised configuration (defaults applied): the
// first 16 hex digits of the sha256 of its canonical JSON encoding. Results
// carry it so that a change of configuration is visible in the data.
func (c *Config) Hash() string {
	b, err := json.Marshal(c)
	if err != nil {
		// Every field type marshals; this cannot happen.
		return "unhashable"
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

// Redacted returns a copy of c with secrets (the MQTT password) replaced,
// for status pages and the config/get command.
func (c *Config) Redacted() *Config {
	r := *c
	if c.MQTT != nil {
		r.MQTT = c.MQTT.redacted()
	}
	return &r
}

// Show is the configuration as `fovea config show` prints it: YAML with
// every default filled in and secrets redacted.
func (c *Config) Show() ([]byte, error) {
	return yaml.Marshal(c.Redacted())
}
