package fleet

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
)

// Policy is what the operator side judges a stage by.
type Policy struct {
	// MaxFailureRate is the share of a stage's devices that may fail (gate
	// failed on the device, rolled back, refused, or no answer before the
	// timeout) before the rollout halts; 0 halts on the first failure.
	MaxFailureRate float64
}

// gateKeys are the keys --gate takes; each sets a field of the devices'
// gates (deploy.Gates) or of the operator's Policy.
var gateKeys = map[string]func(g *deploy.Gates, p *Policy, v string) error{
	"max_error_rate":     fraction(func(g *deploy.Gates, _ *Policy, f float64) { g.MaxErrorRate = f }),
	"max_latency_ratio":  number(func(g *deploy.Gates, f float64) { g.MaxLatencyRatio = f }),
	"min_agreement":      fraction(func(g *deploy.Gates, _ *Policy, f float64) { g.MinAgreement = f }),
	"min_accuracy":       fraction(func(g *deploy.Gates, _ *Policy, f float64) { g.MinAccuracy = f }),
	"max_failure_rate":   fraction(func(_ *deploy.Gates, p *Policy, f float64) { p.MaxFailureRate = f }),
	"max_latency_p99":    duration(func(g *deploy.Gates, d deploy.Duration) { g.MaxLatencyP99 = d }),
	"shadow_duration":    duration(func(g *deploy.Gates, d deploy.Duration) { g.ShadowDuration = d }),
	"probation_duration": duration(func(g *deploy.Gates, d deploy.Duration) { g.ProbationDuration = d }),
	"shadow_frames":      count(func(g *deploy.Gates, n int) { g.ShadowFrames = n }),
	"probation_frames":   count(func(g *deploy.Gates, n int) { g.ProbationFrames = n }),
	"min_frames":         count(func(g *deploy.Gates, n int) { g.MinFrames = n }),
	"skip_shadow": func(g *deploy.Gates, _ *Policy, v string) error {
		b, err := strconv.ParseBool(v)
		g.SkipShadow = b
		return err
	},
}

// GateKeys lists the keys ParseGates takes, sorted.
func GateKeys() []string {
	var ks []string
	for k := range gateKeys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// ParseGates reads "max_error_rate=0.05,min_agreement=0.9,max_failure_rate=10%".
// Fractions take 0.1 or 10%; durations 30s or 5m. Device gates left out
// take the device's defaults.
func ParseGates(spec string) (deploy.Gates, Policy, error) {
	var g deploy.Gates
	var p Policy
	if strings.TrimSpace(spec) == "" {
		return g, p, nil
	}
	for part := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		set := gateKeys[k]
		if !ok || set == nil {
			return g, p, fmt.Errorf("fleet.ParseGates: %q: want key=value with a key of %s", part, strings.Join(GateKeys(), ", "))
		}
		if err := set(&g, &p, v); err != nil {
			return g, p, fmt.Errorf("fleet.ParseGates: %s=%s: %w", k, v, err)
		}
	}
	return g, p, nil
}

func fraction(set func(*deploy.Gates, *Policy, float64)) func(*deploy.Gates, *Policy, string) error {
	return func(g *deploy.Gates, p *Policy, v string) error {
		scale := 1.0
		if s, ok := strings.CutSuffix(v, "%"); ok {
			v, scale = s, 100
		}
		f, err := strconv.ParseFloat(v, 64)
		f /= scale
		if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
			return fmt.Errorf("want a fraction from 0 to 1 (or 0%% to 100%%)")
		}
		set(g, p, f)
		return nil
	}
}

func number(set func(*deploy.Gates, float64)) func(*deploy.Gates, *Policy, string) error {
	return func(g *deploy.Gates, _ *Policy, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return fmt.Errorf("want a number of 0 or more")
		}
		set(g, f)
		return nil
	}
}

func count(set func(*deploy.Gates, int)) func(*deploy.Gates, *Policy, string) error {
	return func(g *deploy.Gates, _ *Policy, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("want a whole number of 0 or more")
		}
		set(g, n)
		return nil
	}
}

func duration(set func(*deploy.Gates, deploy.Duration)) func(*deploy.Gates, *Policy, string) error {
	return func(g *deploy.Gates, _ *Policy, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration such as 30s or 5m")
		}
		set(g, deploy.Duration(d))
		return nil
	}
}
