package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/fovea-edge/fovea/firmware/semver"
	"github.com/fovea-edge/fovea/firmware/sign"
)

// FormatVersion is the manifest and container format this package writes.
const FormatVersion = 1

// Manifest describes a bundle. Its JSON is what the signature covers.
type Manifest struct {
	// Format is FormatVersion.
	Format int `json:"format"`
	// Name of the model ("shapes", "mobilenet_v2").
	Name string `json:"name"`
	// Version is a semantic version; devices install only newer ones.
	Version string `json:"version"`
	// Created is when the bundle was made (informational: device clocks
	// may be wrong, so nothing depends on it).
	Created time.Time `json:"created"`
	// KeyID names the key that signed the manifest (sign.KeyID).
	KeyID string `json:"key_id"`
	// MinAgentVersion is the oldest agent that may run the model; empty
	// means any.
	MinAgentVersion string `json:"min_agent_version,omitempty"`
	// Model and Labels name the members holding the .tflite file and the
	// labels (one per line, line n = class n).
	Model  string `json:"model"`
	Labels string `json:"labels"`
	// Input describes the model input and how frames become it.
	Input Input `json:"input"`
	// Files pins every member, in container order.
	Files []File `json:"files"`
	// Tests are inputs with the expected outputs, run by the device's
	// self-test before the model sees a live frame.
	Tests []TestVector `json:"tests,omitempty"`
	// Provenance records where the model comes from.
	Provenance Provenance `json:"provenance"`
	// Notes are free text for operators.
	Notes string `json:"notes,omitempty"`
}

// File pins one member.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Input is the model's first input tensor and its preprocessing.
type Input struct {
	// Shape is the tensor shape, e.g. [1, 224, 224, 3].
	Shape []int `json:"shape"`
	// DType is "uint8", "int8" or "float32".
	DType string `json:"dtype"`
	// Mean and Std normalise pixels as (p − mean) / std, in 0…255 units;
	// empty means the model's own convention.
	Mean []float32 `json:"mean,omitempty"`
	Std  []float32 `json:"std,omitempty"`
	// Resize names the frame scaler the model was evaluated with
	// ("pillow" or "opencv").
	Resize string `json:"resize,omitempty"`
}

// TestVector is one self-test input with its expected result.
type TestVector struct {
	// Input names the member holding the input image (PNG or JPEG).
	Input string `json:"input"`
	// Top lists the expected top classes, best first (label, index,
	// score), as the signer's machine computed them.
	Top []Expect `json:"top"`
	// Tolerance is the largest score difference accepted per class.
	Tolerance float32 `json:"tolerance"`
}

// Expect is one expected class of a test vector.
type Expect struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Score float32 `json:"score"`
}

// Provenance says where a model comes from.
type Provenance struct {
	// TrainingData references the data set (a URL, a path, a DVC hash).
	TrainingData string `json:"training_data,omitempty"`
	// CodeRevision is the training code's revision (a git commit).
	CodeRevision string `json:"code_revision,omitempty"`
	// Eval holds the release's evaluation as a JSON object: typically what
	// `fovea eval --json` writes, or a summary {"top1":…, "top5":…,
	// "ece":…, "n":…}. It is kept verbatim.
	Eval json.RawMessage `json:"eval,omitempty"`
}

// Size limits of manifest fields.
const (
	maxName     = 64
	maxFiles    = 64
	maxTests    = 32
	maxTop      = 16
	maxText     = 16 << 10
	maxEvalJSON = 64 << 10
	maxDims     = 8
)

// ParseManifest decodes and validates manifest JSON: unknown fields,
// trailing data and every invalid value are errors wrapping ErrManifest.
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("bundle.ParseManifest: %w: %w", ErrManifest, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("bundle.ParseManifest: %w: data after the JSON object", ErrManifest)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("bundle.ParseManifest: %w", err)
	}
	return &m, nil
}

// Validate reports every problem of the manifest at once, each wrapping
// ErrManifest.
func (m *Manifest) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrManifest}, a...)...))
	}
	if m.Format != FormatVersion {
		bad("format %d; this agent reads format %d", m.Format, FormatVersion)
	}
	if !validName(m.Name) {
		bad("name %q: want 1–%d characters of [A-Za-z0-9._-]", m.Name, maxName)
	}
	if !semver.Valid(m.Version) {
		bad("version %q is not a semantic version (e.g. 1.4.0)", m.Version)
	}
	if m.MinAgentVersion != "" && !semver.Valid(m.MinAgentVersion) {
		bad("min_agent_version %q is not a semantic version", m.MinAgentVersion)
	}
	if !sign.ValidKeyID(m.KeyID) {
		bad("key_id %q: want 16 lowercase hex digits", m.KeyID)
	}
	if len(m.Notes) > maxText || len(m.Provenance.TrainingData) > maxText || len(m.Provenance.CodeRevision) > maxText {
		bad("notes or provenance text longer than %d bytes", maxText)
	}
	if ev := m.Provenance.Eval; len(ev) > 0 {
		var obj map[string]json.RawMessage
		if len(ev) > maxEvalJSON || json.Unmarshal(ev, &obj) != nil || obj == nil {
			bad("provenance.eval must be a JSON object of at most %d bytes", maxEvalJSON)
		}
	}
	errs = append(errs, m.validateFiles()...)
	errs = append(errs, m.Input.validate()...)
	errs = append(errs, m.validateTests()...)
	return errors.Join(errs...)
}

func (m *Manifest) validateFiles() []error {
	var errs []error
	if len(m.Files) == 0 || len(m.Files) > maxFiles {
		errs = append(errs, fmt.Errorf("%w: %d files; want 1–%d", ErrManifest, len(m.Files), maxFiles))
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		switch {
		case !validName(f.Name):
			errs = append(errs, fmt.Errorf("%w: file name %q: want 1–%d characters of [A-Za-z0-9._-], not starting with a dot", ErrManifest, f.Name, maxName))
		case f.Name == ManifestFile || f.Name == SignatureFile:
			errs = append(errs, fmt.Errorf("%w: file name %q is reserved", ErrManifest, f.Name))
		case seen[f.Name]:
			errs = append(errs, fmt.Errorf("%w: file %q listed twice", ErrManifest, f.Name))
		}
		seen[f.Name] = true
		if f.Size < 0 {
			errs = append(errs, fmt.Errorf("%w: file %q has size %d", ErrManifest, f.Name, f.Size))
		}
		if !validSHA256(f.SHA256) {
			errs = append(errs, fmt.Errorf("%w: file %q sha256 %q: want 64 lowercase hex digits", ErrManifest, f.Name, f.SHA256))
		}
	}
	if !seen[m.Model] {
		errs = append(errs, fmt.Errorf("%w: model %q is not among the files", ErrManifest, m.Model))
	}
	if !seen[m.Labels] {
		errs = append(errs, fmt.Errorf("%w: labels %q is not among the files", ErrManifest, m.Labels))
	}
	if m.Model == m.Labels && m.Model != "" {
		errs = append(errs, fmt.Errorf("%w: model and labels are the same file", ErrManifest))
	}
	return errs
}

func (in *Input) validate() []error {
	var errs []error
	if len(in.Shape) == 0 || len(in.Shape) > maxDims {
		errs = append(errs, fmt.Errorf("%w: input shape %v: want 1–%d dimensions", ErrManifest, in.Shape, maxDims))
	}
	for _, d := range in.Shape {
		if d <= 0 || d > 1<<16 {
			errs = append(errs, fmt.Errorf("%w: input shape %v has dimension %d", ErrManifest, in.Shape, d))
			break
		}
	}
	switch in.DType {
	case "uint8", "int8", "float32":
	default:
		errs = append(errs, fmt.Errorf("%w: input dtype %q: want uint8, int8 or float32", ErrManifest, in.DType))
	}
	if len(in.Mean) != len(in.Std) || len(in.Mean) > 4 {
		errs = append(errs, fmt.Errorf("%w: input has %d means and %d stds", ErrManifest, len(in.Mean), len(in.Std)))
	}
	for _, v := range append(append([]float32(nil), in.Mean...), in.Std...) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			errs = append(errs, fmt.Errorf("%w: input normalisation is not finite", ErrManifest))
			break
		}
	}
	for _, s := range in.Std {
		if s == 0 {
			errs = append(errs, fmt.Errorf("%w: input std is 0", ErrManifest))
			break
		}
	}
	switch in.Resize {
	case "", "pillow", "opencv":
	default:
		errs = append(errs, fmt.Errorf("%w: input resize %q: want pillow or opencv", ErrManifest, in.Resize))
	}
	return errs
}

func (m *Manifest) validateTests() []error {
	var errs []error
	if len(m.Tests) > maxTests {
		errs = append(errs, fmt.Errorf("%w: %d tests; at most %d", ErrManifest, len(m.Tests), maxTests))
	}
	for i, tv := range m.Tests {
		if tv.Input == m.Model || tv.Input == m.Labels || m.File(tv.Input) == nil {
			errs = append(errs, fmt.Errorf("%w: test %d input %q is not a test file of the bundle", ErrManifest, i, tv.Input))
		}
		if len(tv.Top) == 0 || len(tv.Top) > maxTop {
			errs = append(errs, fmt.Errorf("%w: test %d expects %d classes; want 1–%d", ErrManifest, i, len(tv.Top), maxTop))
		}
		if !(tv.Tolerance >= 0 && tv.Tolerance <= 1) {
			errs = append(errs, fmt.Errorf("%w: test %d tolerance %v; want 0…1", ErrManifest, i, tv.Tolerance))
		}
		for _, e := range tv.Top {
			if e.Index < 0 || math.IsNaN(float64(e.Score)) || math.IsInf(float64(e.Score), 0) {
				errs = append(errs, fmt.Errorf("%w: test %d expects class %d score %v", ErrManifest, i, e.Index, e.Score))
				break
			}
		}
	}
	return errs
}

// File returns the entry of the named member, or nil.
func (m *Manifest) File(name string) *File {
	for i := range m.Files {
		if m.Files[i].Name == name {
			return &m.Files[i]
		}
	}
	return nil
}

// ModelSHA256 is the sha256 of the model member: the model's identity in
// results (infer.ModelInfo.SHA256 of the same bytes).
func (m *Manifest) ModelSHA256() string {
	if f := m.File(m.Model); f != nil {
		return f.SHA256
	}
	return ""
}

// TotalSize is the sum of the member sizes.
func (m *Manifest) TotalSize() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

func validName(s string) bool {
	if s == "" || len(s) > maxName || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
