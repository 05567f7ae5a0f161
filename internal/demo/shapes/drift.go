package shapes

import (
	"fmt"
	"math"
	"strings"
)

// DriftKind names a controlled change of the scene.
type DriftKind string

// The drift kinds. Amount is in [-1, 1] for brightness and contrast and in
// (0, 1] for the others; its meaning per kind:
const (
	// Brightness adds Amount·255 to every channel (0.3 → +76 levels;
	// negative darkens).
	Brightness DriftKind = "brightness"
	// Contrast scales every channel's distance from mid-grey by 1+Amount
	// (−0.5 halves the contrast, 0.5 raises it by half).
	Contrast DriftKind = "contrast"
	// Blur applies a Gaussian blur of sigma Amount·4 pixels (at 64×64).
	Blur DriftKind = "blur"
	// Noise adds Gaussian noise of sigma Amount·64 levels per channel.
	Noise DriftKind = "noise"
	// NewClass replaces the shape by a hexagon, a class never trained on,
	// in a fraction Amount of the frames (Truth becomes "hexagon").
	NewClass DriftKind = "newclass"
	// Tilt tilts the camera by Amount·90° about the horizontal axis:
	// the scene is foreshortened vertically by cos(Amount·90°), so circles
	// become ellipses and squares rectangles.
	Tilt DriftKind = "tilt"
)

// DriftKinds lists the kinds in documentation order.
var DriftKinds = []DriftKind{Brightness, Contrast, Blur, Noise, NewClass, Tilt}

// DefaultAmount is the amount used when a drift is named without one.
func DefaultAmount(k DriftKind) float64 {
	switch k {
	case Contrast:
		return -0.5
	case Brightness:
		return 0.3
	default:
		return 0.5
	}
}

// Drift is one change applied to drifted frames.
type Drift struct {
	Kind   DriftKind
	Amount float64
}

// ParseDriftKind checks a drift name.
func ParseDriftKind(s string) (DriftKind, error) {
	for _, k := range DriftKinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(DriftKinds))
	for i, k := range DriftKinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("%w: unknown drift %q (known: %s)", ErrBadScene, s, strings.Join(names, ", "))
}

// Validate checks the kind and the range of Amount.
func (d Drift) Validate() error {
	if _, err := ParseDriftKind(string(d.Kind)); err != nil {
		return err
	}
	a := d.Amount
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return fmt.Errorf("%w: drift %s amount %v is not a number", ErrBadScene, d.Kind, a)
	}
	switch d.Kind {
	case Brightness, Contrast:
		if a < -1 || a > 1 {
			return fmt.Errorf("%w: drift %s amount %v out of range [-1, 1]", ErrBadScene, d.Kind, a)
		}
	default:
		if a <= 0 || a > 1 {
			return fmt.Errorf("%w: drift %s amount %v out of range (0, 1]", ErrBadScene, d.Kind, a)
		}
	}
	return nil
}

// applyPixelDrifts applies the drifts that act on the rendered pixels
// (planar float channels, 0..255, not yet clamped).
func applyPixelDrifts(pl *planes, drifts []Drift, rng noiseSource) {
	for _, d := range drifts {
		switch d.Kind {
		case Brightness:
			off := float32(d.Amount * 255)
			for c := range pl.ch {
				for i := range pl.ch[c] {
					pl.ch[c][i] += off
				}
			}
		case Contrast:
			g := float32(1 + d.Amount)
			for c := range pl.ch {
				for i, v := range pl.ch[c] {
					pl.ch[c][i] = 127.5 + (v-127.5)*g
				}
			}
		case Blur:
			pl.gaussianBlur(d.Amount * 4 * float64(pl.size) / 64)
		case Noise:
			sigma := d.Amount * 64
			for c := range pl.ch {
				for i := range pl.ch[c] {
					pl.ch[c][i] += float32(rng.NormFloat64() * sigma)
				}
			}
		}
	}
}

// tiltScale is the vertical foreshortening of the tilt drifts (1 = none).
func tiltScale(drifts []Drift) float64 {
	s := 1.0
	for _, d := range drifts {
		if d.Kind == Tilt {
			s *= math.Cos(d.Amount * math.Pi / 2)
		}
	}
	return max(s, 0.05)
}

type noiseSource interface {
	NormFloat64() float64
	Float64() float64
}
