package eval

import (
	"encoding/json"
	"fmt"
	"io"
)

// Version is the JSON report format version ("v").
const Version = 1

// Report is the JSON evaluation report: see docs/eval.md.
type Report struct {
	V int `json:"v"`
	// Created is when the evaluation ran (RFC 3339, UTC), if known.
	Created string   `json:"created,omitempty"`
	Data    DataInfo `json:"data"`
	// ImageBuckets are the tertile edges of the brightness, contrast and
	// sharpness slices.
	ImageBuckets []BucketEdges `json:"image_buckets,omitempty"`
	Model        ModelReport   `json:"model"`
	Baseline     *ModelReport  `json:"baseline,omitempty"`
	Comparison   *Comparison   `json:"comparison,omitempty"`
}

// DataInfo describes the data set.
type DataInfo struct {
	// Sources are the data sets evaluated (folders or synthetic: URIs).
	Sources []string `json:"sources"`
	// Images is the number of images read (classified or not).
	Images int `json:"images"`
	// Truth says how true labels were read, e.g. "folder names",
	// "ground_truth.tsv column index_1001".
	Truth []string `json:"truth,omitempty"`
	// Notes are anything else the reader should know (skipped slice
	// columns, a limit).
	Notes []string `json:"notes,omitempty"`
}

// Run is one model's samples.
type Run struct {
	Model   ModelInfo
	Samples []Sample
}

// NewReport evaluates a model and, when baseline is not nil, the baseline
// on the same images, and compares them. The image-statistic buckets come
// from the model's samples.
func NewReport(data DataInfo, model Run, baseline *Run) Report {
	edges := ImageBuckets(model.Samples)
	r := Report{V: Version, Data: data, ImageBuckets: edges}
	r.Model = Evaluate(model.Model, model.Samples, edges, DefaultBins)
	if baseline != nil {
		b := Evaluate(baseline.Model, baseline.Samples, edges, DefaultBins)
		r.Baseline = &b
		c := Compare(model.Samples, baseline.Samples)
		r.Comparison = &c
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("eval.WriteJSON: %w", err)
	}
	return nil
}

// ReadJSON decodes a report, refusing other versions and unknown fields.
func ReadJSON(rd io.Reader) (Report, error) {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return Report{}, fmt.Errorf("eval.ReadJSON: %w", err)
	}
	if r.V != Version {
		return Report{}, fmt.Errorf("eval.ReadJSON: report version %d: %w (this build reads v%d)", r.V, ErrVersion, Version)
	}
	return r, nil
}
