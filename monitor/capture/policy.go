// Package capture decides which frames to keep for retraining and
// prepares them: privacy masks blanked, optionally downscaled, encoded as
// PNG, with provenance. It is off unless a camera opts in, and hard caps
// (samples retained, bytes retained, samples per hour) and a retention TTL
// bound what it keeps. It does no I/O: the agent stores what Offer
// returns and deletes what Expire names.
package capture

import (
	"errors"
	"fmt"
	"image"
	"time"
)

// Rect is a rectangle in frame pixels: top-left corner and size.
type Rect struct {
	X int `yaml:"x" json:"x"`
	Y int `yaml:"y" json:"y"`
	W int `yaml:"w" json:"w"`
	H int `yaml:"h" json:"h"`
}

func (r Rect) image() image.Rectangle { return image.Rect(r.X, r.Y, r.X+r.W, r.Y+r.H) }

// Rules say which results of a camera are captured; the first that
// matches names the sample's rule.
type Rules struct {
	// LowConfidence captures results whose top-1 confidence is below it;
	// 0 = off.
	LowConfidence float64 `yaml:"low_confidence" json:"low_confidence"`
	// Disagreement captures results on which a shadow model's top-1
	// differs from the active model's.
	Disagreement bool `yaml:"disagreement" json:"disagreement"`
	// Drift captures results while a drift or decay alarm of the camera is
	// raised.
	Drift bool `yaml:"drift" json:"drift"`
	// RandomRate captures this fraction of all results (0…1).
	RandomRate float64 `yaml:"random_rate" json:"random_rate"`
}

// Camera is one camera's opt-in.
type Camera struct {
	// ID is the camera's id in the agent's configuration.
	ID    string `yaml:"id" json:"id"`
	Rules Rules  `yaml:"rules" json:"rules"`
	// Masks are blanked (set to black) in every captured frame before it
	// leaves the package, in frame pixels before any downscale.
	Masks []Rect `yaml:"masks" json:"masks"`
}

// The rule names a sample carries.
const (
	RuleLowConfidence = "low_confidence"
	RuleDisagreement  = "disagreement"
	RuleDrift         = "drift"
	RuleRandom        = "random"
)

// Policy is the whole capture configuration. A camera not named in
// Cameras is never captured.
type Policy struct {
	Cameras []Camera `yaml:"cameras" json:"cameras"`
	// MaxSamples and MaxBytes cap what is retained at once (defaults 500
	// and 64 MiB); MaxPerHour caps captures in any 60 minutes (default
	// 60). A sample that would exceed a cap is not captured (counted).
	MaxSamples int   `yaml:"max_samples" json:"max_samples"`
	MaxBytes   int64 `yaml:"max_bytes" json:"max_bytes"`
	MaxPerHour int   `yaml:"max_per_hour" json:"max_per_hour"`
	// TTL is how long a sample is retained; default 168h (7 days).
	TTL Duration `yaml:"ttl" json:"ttl"`
	// MaxSide downscales a sample so that its longer side is at most
	// this many pixels; 0 keeps the frame size.
	MaxSide int `yaml:"max_side" json:"max_side"`
	// Seed makes the random rule reproducible.
	Seed int64 `yaml:"seed" json:"seed"`
}

// Defaults fills the zero caps.
func (p Policy) Defaults() Policy {
	if p.MaxSamples == 0 {
		p.MaxSamples = 500
	}
	if p.MaxBytes == 0 {
		p.MaxBytes = 64 << 20
	}
	if p.MaxPerHour == 0 {
		p.MaxPerHour = 60
	}
	if p.TTL == 0 {
		p.TTL = Duration(168 * time.Hour)
	}
	return p
}

// Hard limits on the caps themselves.
const (
	MaxSamplesLimit = 100000
	MaxPerHourLimit = 36000
)

// Validate reports every problem at once.
func (p Policy) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("monitor.capture: "+format, args...))
	}
	if p.MaxSamples < 1 || p.MaxSamples > MaxSamplesLimit {
		bad("max_samples %d out of range [1, %d]", p.MaxSamples, MaxSamplesLimit)
	}
	if p.MaxBytes < 1 {
		bad("max_bytes %d must be positive", p.MaxBytes)
	}
	if p.MaxPerHour < 1 || p.MaxPerHour > MaxPerHourLimit {
		bad("max_per_hour %d out of range [1, %d]", p.MaxPerHour, MaxPerHourLimit)
	}
	if p.TTL <= 0 {
		bad("ttl %v must be positive", p.TTL)
	}
	if p.MaxSide < 0 || (p.MaxSide > 0 && p.MaxSide < 8) {
		bad("max_side %d: want 0 (keep the size) or at least 8", p.MaxSide)
	}
	seen := map[string]bool{}
	for _, c := range p.Cameras {
		id := c.ID
		if id == "" || seen[id] {
			bad("cameras: id %q is empty or given twice", id)
		}
		seen[id] = true
		r := c.Rules
		if r.LowConfidence < 0 || r.LowConfidence > 1 {
			bad("camera %q: low_confidence %v out of range [0, 1]", id, r.LowConfidence)
		}
		if r.RandomRate < 0 || r.RandomRate > 1 {
			bad("camera %q: random_rate %v out of range [0, 1]", id, r.RandomRate)
		}
		if r == (Rules{}) {
			bad("camera %q: no rule enabled; set low_confidence, disagreement, drift or random_rate, or remove the camera", id)
		}
		for i, m := range c.Masks {
			if m.W <= 0 || m.H <= 0 || m.X < 0 || m.Y < 0 {
				bad("camera %q: mask %d %+v needs x, y ≥ 0 and w, h > 0", id, i, m)
			}
		}
	}
	return errors.Join(errs...)
}
