package synthetic

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// Config is a parsed synthetic: URI.
type Config struct {
	// Scene is what is rendered (size, classes, seed, drifts).
	Scene shapes.Scene
	// FPS paces Next; 0 means as fast as frames render.
	FPS float64
	// Count ends the stream with io.EOF after this many frames; 0 never
	// ends it.
	Count uint64
	// DriftAt is the Seq of the first drifted frame; 0 means no drift.
	DriftAt uint64
}

// keys are the URI parameters, in documentation order.
var keys = []string{"seed", "size", "fps", "count", "classes", "drift", "drift_at", "drift_amount"}

// ParseURI parses the part of a synthetic: URI after the scheme, a query
// string such as "seed=1&size=64&fps=10&drift=brightness&drift_at=500".
// A leading "?" is allowed. fps, when absent, is defaultFPS. Every problem
// is reported at once; errors wrap camera.ErrPermanent.
func ParseURI(rest string, defaultFPS float64) (Config, error) {
	cfg := Config{Scene: shapes.Scene{Size: 64, Seed: 1}, FPS: defaultFPS}
	v, err := url.ParseQuery(strings.TrimPrefix(rest, "?"))
	if err != nil {
		return Config{}, fmt.Errorf("synthetic.ParseURI: %w: parameters %q are not a query string (want e.g. seed=1&size=64&fps=10): %v", camera.ErrPermanent, rest, err)
	}
	var errs []error
	bad := func(key, val, want string) {
		errs = append(errs, fmt.Errorf("parameter %s=%q: want %s", key, val, want))
	}
	for k, vals := range v {
		if !slices.Contains(keys, k) {
			errs = append(errs, fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(keys, ", ")))
			continue
		}
		if len(vals) > 1 {
			errs = append(errs, fmt.Errorf("parameter %s given %d times; give it once", k, len(vals)))
		}
	}
	if s := v.Get("seed"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err != nil {
			bad("seed", s, "a non-negative integer")
		} else {
			cfg.Scene.Seed = n
		}
	}
	if s := v.Get("size"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < shapes.MinSize || n > shapes.MaxSize {
			bad("size", s, fmt.Sprintf("an integer in [%d, %d]", shapes.MinSize, shapes.MaxSize))
		} else {
			cfg.Scene.Size = n
		}
	}
	if s := v.Get("fps"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err != nil || !(f >= 0 && f <= 1000) {
			bad("fps", s, "a number in [0, 1000] (0 = as fast as possible)")
		} else {
			cfg.FPS = f
		}
	}
	if s := v.Get("count"); s != "" {
		if n, err := strconv.ParseUint(s, 10, 64); err != nil {
			bad("count", s, "a non-negative integer (0 = endless)")
		} else {
			cfg.Count = n
		}
	}
	if s := v.Get("classes"); s != "" {
		for c := range strings.SplitSeq(s, ",") {
			if !slices.Contains(shapes.AllClasses, c) {
				bad("classes", s, "a comma-separated list of "+strings.Join(shapes.AllClasses, ", "))
				break
			}
			cfg.Scene.Classes = append(cfg.Scene.Classes, c)
		}
	}
	cfg.DriftAt, errs = parseDrift(v, &cfg.Scene, errs)
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("synthetic.ParseURI: %w: %w", camera.ErrPermanent, errors.Join(errs...))
	}
	return cfg, nil
}

// parseDrift reads drift, drift_at and drift_amount.
func parseDrift(v url.Values, sc *shapes.Scene, errs []error) (uint64, []error) {
	kinds, at, amount := v.Get("drift"), v.Get("drift_at"), v.Get("drift_amount")
	if kinds == "" {
		if at != "" || amount != "" {
			errs = append(errs, errors.New("drift_at and drift_amount need drift=KIND (one of brightness, contrast, blur, noise, newclass, tilt)"))
		}
		return 0, errs
	}
	driftAt := uint64(1)
	if at != "" {
		n, err := strconv.ParseUint(at, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("parameter drift_at=%q: want the sequence number (from 1) of the first drifted frame", at))
		}
		driftAt = max(n, 1)
	}
	var amt float64
	hasAmount := amount != ""
	if hasAmount {
		f, err := strconv.ParseFloat(amount, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("parameter drift_amount=%q: want a number", amount))
			hasAmount = false
		}
		amt = f
	}
	for s := range strings.SplitSeq(kinds, ",") {
		k, err := shapes.ParseDriftKind(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d := shapes.Drift{Kind: k, Amount: shapes.DefaultAmount(k)}
		if hasAmount {
			d.Amount = amt
		}
		if err := d.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		sc.Drifts = append(sc.Drifts, d)
	}
	return driftAt, errs
}
