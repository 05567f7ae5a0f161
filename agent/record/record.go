// Package record defines the result record: what the agent writes to the
// outbox for every classified frame, and what consumers receive. The
// encoding is JSON with a schema version in "v"; docs/record.md documents
// every field.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Version is the schema version this package writes.
const Version = 1

// MaxSize bounds an encoded record; Decode refuses anything larger.
const MaxSize = 64 << 10

// MaxTop bounds the number of classes in a record.
const MaxTop = 100

var (
	// ErrVersion is returned by Decode for a record of an unknown schema
	// version.
	ErrVersion = errors.New("unsupported record version")
	// ErrMalformed is returned by Decode for bytes that are not a valid
	// record.
	ErrMalformed = errors.New("malformed record")
)

// Record is the result of classifying one frame.
type Record struct {
	// V is the schema version, 1.
	V int `json:"v"`
	// Device is the device id from the configuration.
	Device string `json:"device"`
	// Camera is the camera id from the configuration.
	Camera string `json:"camera"`
	// Seq is the frame's sequence number within its camera (from 1; gaps
	// mean dropped frames).
	Seq uint64 `json:"seq"`
	// Frame names the frame within its source when it has a name (the
	// file name for dir: sources).
	Frame string `json:"frame,omitempty"`
	// Wall is the wall-clock capture time (RFC 3339, UTC). Boards without
	// a real-time clock may report 1970 until NTP syncs.
	Wall time.Time `json:"wall"`
	// MonoUS is the monotonic capture time in microseconds since the agent
	// process started: it orders frames even when the wall clock jumps.
	MonoUS int64 `json:"mono_us"`
	// Truth is the ground-truth label when the source knows it.
	Truth string `json:"truth,omitempty"`
	// Model identifies the model that produced Top.
	Model Model `json:"model"`
	// Top holds the k best classes, best first.
	Top []Class `json:"top"`
	// LatencyUS holds the stage latencies in microseconds.
	LatencyUS Latency `json:"latency_us"`
	// Config is the configuration hash (config.Config.Hash).
	Config string `json:"config"`
}

// Model identifies a model file.
type Model struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	SHA256  string `json:"sha256"`
}

// Class is one scored class.
type Class struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Score float32 `json:"score"`
}

// Latency holds per-stage durations in microseconds.
type Latency struct {
	// Capture is the time the source took to deliver the frame (grab and
	// decode).
	Capture int64 `json:"capture"`
	// Queue is the time the frame waited between capture and inference.
	Queue int64 `json:"queue"`
	// Preprocess is the time to resize and convert the frame into the
	// model's input tensor.
	Preprocess int64 `json:"preprocess"`
	// Invoke is the time the interpreter took.
	Invoke int64 `json:"invoke"`
}

// US converts a duration to whole microseconds.
func US(d time.Duration) int64 { return d.Microseconds() }

// Encode returns the JSON encoding of r, setting V to Version. It refuses a
// record that Decode would refuse.
func Encode(r *Record) ([]byte, error) {
	r.V = Version
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("record.Encode: %w", err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("record.Encode: %w", err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("record.Encode: %d bytes is over the %d byte limit; lower model.top_k or shorten labels", len(b), MaxSize)
	}
	return b, nil
}

// Decode parses and checks an encoded record. Unknown fields are ignored,
// so that a consumer reads records written by a newer agent of the same
// major version.
func Decode(data []byte) (Record, error) {
	var r Record
	if len(data) > MaxSize {
		return r, fmt.Errorf("record.Decode: %w: %d bytes is over the %d byte limit", ErrMalformed, len(data), MaxSize)
	}
	var probe struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return r, fmt.Errorf("record.Decode: %w: %v", ErrMalformed, err)
	}
	if probe.V == nil {
		return r, fmt.Errorf("record.Decode: %w: no \"v\" field; this is not a Fovea result record", ErrMalformed)
	}
	if *probe.V != Version {
		return r, fmt.Errorf("record.Decode: %w %d (this build reads %d)", ErrVersion, *probe.V, Version)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("record.Decode: %w: %v", ErrMalformed, err)
	}
	if err := r.check(); err != nil {
		return Record{}, fmt.Errorf("record.Decode: %w", err)
	}
	return r, nil
}

// check enforces the invariants every record satisfies.
func (r *Record) check() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...))
	}
	if r.Device == "" {
		bad("device is empty")
	}
	if r.Camera == "" {
		bad("camera is empty")
	}
	if r.Model.Name == "" && r.Model.SHA256 == "" {
		bad("model has neither name nor sha256")
	}
	if len(r.Top) > MaxTop {
		bad("%d classes in top, at most %d", len(r.Top), MaxTop)
	}
	for i, c := range r.Top {
		if c.Index < 0 {
			bad("top[%d].index %d is negative", i, c.Index)
		}
		if math.IsNaN(float64(c.Score)) || math.IsInf(float64(c.Score), 0) {
			bad("top[%d].score is not a finite number", i)
		}
	}
	l := r.LatencyUS
	if l.Capture < 0 || l.Queue < 0 || l.Preprocess < 0 || l.Invoke < 0 {
		bad("negative latency %+v", l)
	}
	return errors.Join(errs...)
}
