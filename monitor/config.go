package monitor

import (
	"errors"
	"fmt"
	"time"

	"github.com/fovea-edge/fovea/monitor/capture"
)

// Threshold is an alarm's pair of thresholds on a score where higher is
// worse: raise at or above Raise, clear at or below Clear (Clear < Raise).
type Threshold struct {
	Raise float64 `yaml:"raise" json:"raise"`
	Clear float64 `yaml:"clear" json:"clear"`
}

// Thresholds hold one Threshold per family of tests.
type Thresholds struct {
	// Input applies to the PSI of brightness, contrast, sharpness and the
	// colour channel means.
	Input Threshold `yaml:"input" json:"input"`
	// Classes applies to the PSI of the predicted-class distribution.
	Classes Threshold `yaml:"classes" json:"classes"`
	// Confidence applies to the KS distance of the top-1 confidence and
	// of the normalised entropy distributions.
	Confidence Threshold `yaml:"confidence" json:"confidence"`
	// LowConfidence applies to the rise of the share of results whose
	// top-1 confidence is below Config.LowConfidence.
	LowConfidence Threshold `yaml:"low_confidence" json:"low_confidence"`
	// Embedding applies to the RMS standardised mean shift of the
	// (projected) penultimate tensor.
	Embedding Threshold `yaml:"embedding" json:"embedding"`
	// Decay applies to the drop of accuracy (from labels) or of the
	// estimated accuracy below the reference.
	Decay Threshold `yaml:"decay" json:"decay"`
}

// Config tunes the monitor. Zero fields take the defaults of Defaults.
type Config struct {
	// Enabled turns the monitor on (the agent's switch).
	Enabled bool `yaml:"enabled" json:"enabled"`
	// WarmUp is the number of results per camera from which a reference
	// is learned when no profile is given. Default 1000.
	WarmUp int `yaml:"warm_up" json:"warm_up"`
	// Window is the number of recent results each test compares with the
	// reference. Default 200.
	Window int `yaml:"window" json:"window"`
	// Persist is the number of consecutive evaluations beyond a threshold
	// that raise or clear an alarm. Default 25.
	Persist int `yaml:"persist" json:"persist"`
	// LowConfidence is the top-1 confidence below which a result counts
	// as low-confidence. Default 0.5.
	LowConfidence float64 `yaml:"low_confidence" json:"low_confidence"`
	// LabelWindow is the number of recent labelled results online accuracy
	// is computed over; MinLabels of them are needed before accuracy,
	// rather than the estimate, drives the decay alarm. Defaults 200, 50.
	LabelWindow int `yaml:"label_window" json:"label_window"`
	MinLabels   int `yaml:"min_labels" json:"min_labels"`
	// BrokenFrames is the number of consecutive black, blown-out or
	// uniform frames that mark a camera broken (and as many good ones to
	// clear it); FrozenFrames the number of consecutive unchanged frames.
	// Defaults 10 and 50.
	BrokenFrames int `yaml:"broken_frames" json:"broken_frames"`
	FrozenFrames int `yaml:"frozen_frames" json:"frozen_frames"`
	// RetrainCooldown is the least time between two retraining-trigger
	// events of one camera. Default 1h.
	RetrainCooldown Duration `yaml:"retrain_cooldown" json:"retrain_cooldown"`
	// Embedding names the model tensor whose values feed the embedding
	// test (the agent keeps it in the interpreter); empty = no embedding
	// test.
	Embedding  string     `yaml:"embedding" json:"embedding"`
	Thresholds Thresholds `yaml:"thresholds" json:"thresholds"`
	// Capture is the sample capture policy; off unless enabled.
	Capture capture.Policy `yaml:"capture" json:"capture"`
}

// Defaults returns c with every zero field set to its default.
func (c Config) Defaults() Config {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	deff := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	deft := func(p *Threshold, raise, clear float64) {
		if *p == (Threshold{}) {
			*p = Threshold{Raise: raise, Clear: clear}
		}
	}
	def(&c.WarmUp, 1000)
	def(&c.Window, 200)
	def(&c.Persist, 25)
	deff(&c.LowConfidence, 0.5)
	def(&c.LabelWindow, 200)
	def(&c.MinLabels, 50)
	def(&c.BrokenFrames, 10)
	def(&c.FrozenFrames, 50)
	if c.RetrainCooldown == 0 {
		c.RetrainCooldown = Duration(time.Hour)
	}
	t := &c.Thresholds
	deft(&t.Input, 0.40, 0.15)
	deft(&t.Classes, 0.30, 0.12)
	deft(&t.Confidence, 0.25, 0.12)
	deft(&t.LowConfidence, 0.20, 0.10)
	deft(&t.Embedding, 0.75, 0.35)
	deft(&t.Decay, 0.10, 0.05)
	c.Capture = c.Capture.Defaults()
	return c
}

// Duration is a time.Duration written as "30m" or "1h" in configuration
// files.
type Duration = capture.Duration

// Limits on sizes, so that a configuration cannot make the monitor
// allocate without bound.
const (
	MaxWindow = 100000
	MaxWarmUp = 1000000
)

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("monitor: "+format, args...)) }
	if c.Window < 10 || c.Window > MaxWindow {
		bad("window %d out of range [10, %d]", c.Window, MaxWindow)
	}
	if c.WarmUp < c.Window || c.WarmUp > MaxWarmUp {
		bad("warm_up %d out of range [window (%d), %d]: the reference needs at least one window of results", c.WarmUp, c.Window, MaxWarmUp)
	}
	if c.Persist < 1 || c.Persist > c.Window {
		bad("persist %d out of range [1, window (%d)]", c.Persist, c.Window)
	}
	if c.LowConfidence <= 0 || c.LowConfidence >= 1 {
		bad("low_confidence %v out of range (0, 1)", c.LowConfidence)
	}
	if c.LabelWindow < 1 || c.LabelWindow > MaxWindow || c.MinLabels < 1 || c.MinLabels > c.LabelWindow {
		bad("label_window %d and min_labels %d: want 1 ≤ min_labels ≤ label_window ≤ %d", c.LabelWindow, c.MinLabels, MaxWindow)
	}
	if c.BrokenFrames < 1 || c.FrozenFrames < 2 {
		bad("broken_frames %d and frozen_frames %d: want ≥ 1 and ≥ 2", c.BrokenFrames, c.FrozenFrames)
	}
	if c.RetrainCooldown < 0 {
		bad("retrain_cooldown %v is negative", c.RetrainCooldown)
	}
	t := c.Thresholds
	for _, th := range []struct {
		name string
		Threshold
	}{{"input", t.Input}, {"classes", t.Classes}, {"confidence", t.Confidence},
		{"low_confidence", t.LowConfidence}, {"embedding", t.Embedding}, {"decay", t.Decay}} {
		if !(th.Clear >= 0 && th.Clear < th.Raise) {
			bad("thresholds.%s: clear %v must be ≥ 0 and below raise %v (hysteresis)", th.name, th.Clear, th.Raise)
		}
	}
	if err := c.Capture.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
