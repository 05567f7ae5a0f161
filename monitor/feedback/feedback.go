// Package feedback defines an operator's label for one result — a
// confirmation or a correction, addressed by (device, seq) — the decoding
// of the label requests that arrive over MQTT and HTTP, and the Store
// interface the agent keeps them in durably. It does no I/O itself.
package feedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Label is one operator's verdict on one result.
type Label struct {
	Device string `json:"device"`
	Camera string `json:"camera"`
	// Seq is the result's sequence number (the seq of its record).
	Seq uint64 `json:"seq"`
	// Label is the true class. A confirmation repeats the predicted one.
	Label string `json:"label"`
	// Predicted is what the model said, filled in by the agent.
	Predicted string `json:"predicted,omitempty"`
	// Operator optionally names who gave the label.
	Operator string    `json:"operator,omitempty"`
	Time     time.Time `json:"time"`
}

// Request is the body of a feedback command or POST /api/feedback:
//
//	{"camera": "door", "seq": 1234, "label": "star", "operator": "ana"}
//
// Device, when present, must be this device's id.
type Request struct {
	Device   string `json:"device"`
	Camera   string `json:"camera"`
	Seq      uint64 `json:"seq"`
	Label    string `json:"label"`
	Operator string `json:"operator"`
}

// Limits on request fields.
const (
	MaxRequestBytes = 4096
	maxField        = 256
)

// ErrRequest marks a feedback request that cannot be used; the message
// says which field is wrong.
var ErrRequest = errors.New("invalid feedback request")

// Parse decodes and checks a request for device (strict JSON: unknown
// fields are errors).
func Parse(data []byte, device string) (Request, error) {
	if len(data) > MaxRequestBytes {
		return Request{}, fmt.Errorf("feedback.Parse: %w: %d bytes, at most %d", ErrRequest, len(data), MaxRequestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Request
	if err := dec.Decode(&r); err != nil {
		return Request{}, fmt.Errorf("feedback.Parse: %w: %w", ErrRequest, err)
	}
	if dec.More() {
		return Request{}, fmt.Errorf("feedback.Parse: %w: data after the request", ErrRequest)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrRequest}, args...)...))
	}
	if r.Device != "" && r.Device != device {
		bad("device %q is not this device (%q)", r.Device, device)
	}
	if !field(r.Camera) {
		bad("camera must be 1 to %d bytes of UTF-8 text", maxField)
	}
	if r.Seq == 0 {
		bad("seq must be the result's sequence number (≥ 1)")
	}
	if !field(r.Label) {
		bad("label must be 1 to %d bytes of UTF-8 text", maxField)
	}
	if len(r.Operator) > maxField || !utf8.ValidString(r.Operator) {
		bad("operator must be at most %d bytes of UTF-8 text", maxField)
	}
	if err := errors.Join(errs...); err != nil {
		return Request{}, fmt.Errorf("feedback.Parse: %w", err)
	}
	r.Device = device
	return r, nil
}

func field(s string) bool { return s != "" && len(s) <= maxField && utf8.ValidString(s) }

// Store keeps labels durably. Put replaces an earlier label of the same
// (camera, seq); List calls fn for every label of camera ("" = all) in
// (camera, seq) order until fn returns false.
type Store interface {
	Put(l Label) error
	List(camera string, fn func(Label) bool) error
}
