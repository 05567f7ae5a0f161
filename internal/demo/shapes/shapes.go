// Package shapes renders the synthetic labelled scene that Fovea's demo
// camera shows and its demo model is trained on: one shape (circle, square,
// triangle, star) or none ("empty") on a textured, noisy background, with
// random size, position, rotation, colour and brightness. Every frame is a
// pure function of (seed, index), so a seed reproduces a stream exactly.
//
// Drift knobs (see Drift) change the picture in controlled ways so that
// monitoring can be tested against a stream whose true labels are known.
package shapes

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Class names. The order of Classes is the label order of the demo model.
const (
	Empty    = "empty"
	Circle   = "circle"
	Square   = "square"
	Triangle = "triangle"
	Star     = "star"
	// Hexagon is never in the training set: it appears only through the
	// "newclass" drift (or when asked for explicitly).
	Hexagon = "hexagon"
)

// Classes are the classes of the undrifted scene, in model label order.
var Classes = []string{Empty, Circle, Square, Triangle, Star}

// AllClasses are every class the renderer can draw.
var AllClasses = []string{Empty, Circle, Square, Triangle, Star, Hexagon}

var (
	// ErrBadScene is returned for an invalid scene description (size,
	// classes, drift); the message names the offending value.
	ErrBadScene = errors.New("invalid synthetic scene")
)

// Size limits for a rendered frame.
const (
	MinSize = 16
	MaxSize = 1024
)

// Scene describes a stream of frames.
type Scene struct {
	// Size is the side of the square frame in pixels.
	Size int
	// Classes may appear, drawn uniformly; nil means Classes.
	Classes []string
	// Seed selects the stream.
	Seed uint64
	// Drifts are applied to frames rendered with drifted=true.
	Drifts []Drift
}

// Validate reports every problem with the scene at once.
func (s Scene) Validate() error {
	var errs []error
	if s.Size < MinSize || s.Size > MaxSize {
		errs = append(errs, fmt.Errorf("%w: size %d out of range [%d, %d]", ErrBadScene, s.Size, MinSize, MaxSize))
	}
	for _, c := range s.Classes {
		if !slices.Contains(AllClasses, c) {
			errs = append(errs, fmt.Errorf("%w: unknown class %q (known: %s)", ErrBadScene, c, strings.Join(AllClasses, ", ")))
		}
	}
	for _, d := range s.Drifts {
		if err := d.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s Scene) classes() []string {
	if len(s.Classes) == 0 {
		return Classes
	}
	return s.Classes
}
