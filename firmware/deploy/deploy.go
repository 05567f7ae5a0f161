// Package deploy encodes and decodes the signed deployment messages an
// operator publishes to tell devices which model bundle to install, and
// under which rollout policy.
//
// A deployment travels as a JSON envelope, retained on
// fovea/groups/<group>/deploy for a group or fovea/<device>/deploy for one
// device:
//
//	{"deployment": {…}, "key_id": "0123456789abcdef", "signature": "base64…"}
//
// The signature is Ed25519 (package sign, purpose "fovea deployment v1")
// over the bytes of the "deployment" value exactly as they appear in the
// envelope, so nothing has to be re-encoded to check it. The keys are the
// same trust list that signs bundles.
//
// Replay: every deployment carries an ID that grows with each deployment
// the operator publishes; a device remembers the last ID it acted on and
// ignores anything not greater. A retained message re-delivered on every
// reconnect is therefore applied once.
package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

var (
	// ErrMalformed marks a message that is not a valid deployment.
	ErrMalformed = errors.New("malformed deployment message")
	// ErrNotForDevice marks a deployment for another group or device, or a
	// rollout stage this device is not in.
	ErrNotForDevice = errors.New("deployment is not addressed to this device")
	// ErrReplay marks a deployment whose ID is not newer than the last one
	// the device applied.
	ErrReplay = errors.New("deployment id is not newer than the last applied (replayed or already handled)")
	// ErrExpired marks a deployment past its expiry time.
	ErrExpired = errors.New("deployment has expired")
)

// MaxMessage bounds an encoded deployment envelope.
const MaxMessage = 256 << 10

// Deployment tells devices to install a bundle.
type Deployment struct {
	// ID grows with every deployment (the operator tool uses the Unix time
	// in milliseconds); devices apply only IDs above the last applied.
	ID uint64 `json:"id"`
	// Group is the device group it addresses; empty for a message on a
	// device's own topic.
	Group string `json:"group,omitempty"`
	// Devices, when not empty, restricts it to these device ids: one stage
	// of a rollout.
	Devices []string `json:"devices,omitempty"`
	// Stage names the rollout stage ("1", "10%", "100%"): informational.
	Stage string `json:"stage,omitempty"`
	// Name and Version of the model in the bundle.
	Name    string `json:"name"`
	Version string `json:"version"`
	// URL of the bundle (http, https or file), or Transfer, the id of a
	// chunked transfer over MQTT. Exactly one is set.
	URL      string `json:"url,omitempty"`
	Transfer string `json:"transfer,omitempty"`
	// SHA256 and Size of the bundle file.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// AllowDowngrade permits installing a version that is not newer than
	// the installed one (a fleet-wide rollback).
	AllowDowngrade bool `json:"allow_downgrade,omitempty"`
	// Gates override the device's configured defaults where set.
	Gates Gates `json:"gates"`
	// Created and Expires bound when it may be applied; a zero Expires
	// never expires. Devices whose clock is before Created (a board that
	// booted without time) do not judge expiry.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"`
}

// Gates are the health thresholds a candidate model must pass. Zero fields
// mean "use the device's default".
type Gates struct {
	// MaxErrorRate is the largest fraction of frames the candidate may
	// fail to classify.
	MaxErrorRate float64 `json:"max_error_rate,omitempty"`
	// MaxLatencyP99 is the largest 99th percentile of the candidate's
	// preprocessing + invoke time.
	MaxLatencyP99 Duration `json:"max_latency_p99,omitempty"`
	// MaxLatencyRatio is the largest ratio of the candidate's median
	// latency to the reference model's on the same frames (2 = twice as
	// slow).
	MaxLatencyRatio float64 `json:"max_latency_ratio,omitempty"`
	// MinAgreement is the smallest fraction of frames on which the
	// candidate's top-1 equals the reference model's (the active model in
	// shadow, the previous model in probation).
	MinAgreement float64 `json:"min_agreement,omitempty"`
	// MinAccuracy is the smallest online accuracy on frames whose true
	// label is known; frames without truth are not counted.
	MinAccuracy float64 `json:"min_accuracy,omitempty"`
	// ShadowFrames and ShadowDuration end the shadow run, whichever comes
	// first; ProbationFrames and ProbationDuration end probation.
	ShadowFrames      int      `json:"shadow_frames,omitempty"`
	ShadowDuration    Duration `json:"shadow_duration,omitempty"`
	ProbationFrames   int      `json:"probation_frames,omitempty"`
	ProbationDuration Duration `json:"probation_duration,omitempty"`
	// SkipShadow goes from the self-test straight to activation, for
	// devices that cannot afford to run two models; probation still
	// judges the candidate.
	SkipShadow bool `json:"skip_shadow,omitempty"`
	// MinFrames is the fewest frames a shadow or probation run needs to
	// judge the candidate; a run that ends with fewer fails.
	MinFrames int `json:"min_frames,omitempty"`
}

// Merge returns g with zero fields taken from def.
func (g Gates) Merge(def Gates) Gates {
	pick := func(a, b float64) float64 {
		if a != 0 {
			return a
		}
		return b
	}
	pickI := func(a, b int) int {
		if a != 0 {
			return a
		}
		return b
	}
	pickD := func(a, b Duration) Duration {
		if a != 0 {
			return a
		}
		return b
	}
	return Gates{
		MaxErrorRate:      pick(g.MaxErrorRate, def.MaxErrorRate),
		MaxLatencyP99:     pickD(g.MaxLatencyP99, def.MaxLatencyP99),
		MaxLatencyRatio:   pick(g.MaxLatencyRatio, def.MaxLatencyRatio),
		MinAgreement:      pick(g.MinAgreement, def.MinAgreement),
		MinAccuracy:       pick(g.MinAccuracy, def.MinAccuracy),
		ShadowFrames:      pickI(g.ShadowFrames, def.ShadowFrames),
		ShadowDuration:    pickD(g.ShadowDuration, def.ShadowDuration),
		ProbationFrames:   pickI(g.ProbationFrames, def.ProbationFrames),
		ProbationDuration: pickD(g.ProbationDuration, def.ProbationDuration),
		MinFrames:         pickI(g.MinFrames, def.MinFrames),
		SkipShadow:        g.SkipShadow || def.SkipShadow,
	}
}

// Duration is a time.Duration written as a Go duration string ("30s").
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}
