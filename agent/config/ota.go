package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// OTA configures model updates over the air (docs/ota.md). Absent means
// the agent runs model.path and takes no deployments.
type OTA struct {
	// TrustedKeys are the public keys whose signatures on bundles and
	// deployments the device accepts: paths of .pub files from `fovea
	// keygen` or inline "ed25519:BASE64" keys. List old and new key while
	// rotating. At least one.
	TrustedKeys []string `yaml:"trusted_keys" json:"trusted_keys"`
	// Group is the device group whose deployments the device takes, from
	// <mqtt.fleet_root>groups/<group>/deploy (fovea/groups/<group>/deploy
	// by default); default "default".
	Group string `yaml:"group" json:"group"`
	// KeepVersions is how many installed versions stay on disk beside the
	// active and the previous one; default 3.
	KeepVersions int `yaml:"keep_versions" json:"keep_versions"`
	// ReserveBytes must stay free on the data disk after a download (the
	// outbox needs room); default 64MiB.
	ReserveBytes ByteSize `yaml:"reserve_bytes" json:"reserve_bytes"`
	// CAFile verifies HTTPS download servers; empty = the system roots.
	CAFile string `yaml:"ca_file" json:"ca_file,omitempty"`
	// MaxProbationRestarts is how many agent restarts a new model on
	// probation survives before it is rolled back; default 1.
	MaxProbationRestarts int `yaml:"max_probation_restarts" json:"max_probation_restarts"`
	// Gates are the defaults a deployment's gates override field by field.
	Gates OTAGates `yaml:"gates" json:"gates"`
}

// OTAGates are the health gates of shadow and probation runs. Zero values
// take the built-in defaults (docs/ota.md).
type OTAGates struct {
	MaxErrorRate      float64  `yaml:"max_error_rate" json:"max_error_rate,omitempty"`
	MaxLatencyP99     Duration `yaml:"max_latency_p99" json:"max_latency_p99,omitempty"`
	MaxLatencyRatio   float64  `yaml:"max_latency_ratio" json:"max_latency_ratio,omitempty"`
	MinAgreement      float64  `yaml:"min_agreement" json:"min_agreement,omitempty"`
	MinAccuracy       float64  `yaml:"min_accuracy" json:"min_accuracy,omitempty"`
	ShadowFrames      int      `yaml:"shadow_frames" json:"shadow_frames,omitempty"`
	ShadowDuration    Duration `yaml:"shadow_duration" json:"shadow_duration,omitempty"`
	ProbationFrames   int      `yaml:"probation_frames" json:"probation_frames,omitempty"`
	ProbationDuration Duration `yaml:"probation_duration" json:"probation_duration,omitempty"`
	MinFrames         int      `yaml:"min_frames" json:"min_frames,omitempty"`
	SkipShadow        bool     `yaml:"skip_shadow" json:"skip_shadow,omitempty"`
}

// OTA defaults.
const (
	DefaultOTAGroup    = "default"
	DefaultKeep        = 3
	DefaultReserve     = 64 << 20
	DefaultOTARestarts = 1
)

func (o *OTA) applyDefaults() {
	def(&o.Group, DefaultOTAGroup)
	def(&o.KeepVersions, DefaultKeep)
	def(&o.ReserveBytes, ByteSize(DefaultReserve))
	def(&o.MaxProbationRestarts, DefaultOTARestarts)
}

var groupPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validate reports every problem of the ota section.
func (o *OTA) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(o.TrustedKeys) == 0 {
		add("ota.trusted_keys: list at least one public key (a .pub file from `fovea keygen`, or ed25519:BASE64)")
	}
	for i, k := range o.TrustedKeys {
		if strings.HasPrefix(k, "ed25519:") {
			continue
		}
		if _, err := os.Stat(k); err != nil {
			add("ota.trusted_keys[%d]: %v", i, err)
		}
	}
	if !groupPattern.MatchString(o.Group) {
		add("ota.group: %q must be 1-64 letters, digits, '.', '_' or '-'", o.Group)
	}
	if o.KeepVersions < 1 || o.KeepVersions > 100 {
		add("ota.keep_versions: %d must be between 1 and 100", o.KeepVersions)
	}
	if o.ReserveBytes < 0 {
		add("ota.reserve_bytes: %d must not be negative", o.ReserveBytes)
	}
	if o.MaxProbationRestarts < 1 || o.MaxProbationRestarts > 10 {
		add("ota.max_probation_restarts: %d must be between 1 and 10", o.MaxProbationRestarts)
	}
	if o.CAFile != "" {
		if _, err := os.Stat(o.CAFile); err != nil {
			add("ota.ca_file: %v", err)
		}
	}
	g := o.Gates
	for _, f := range []struct {
		name string
		v    float64
	}{{"max_error_rate", g.MaxErrorRate}, {"min_agreement", g.MinAgreement}, {"min_accuracy", g.MinAccuracy}} {
		if f.v < 0 || f.v > 1 {
			add("ota.gates.%s: %g must be a fraction between 0 and 1", f.name, f.v)
		}
	}
	if g.MaxLatencyRatio < 0 {
		add("ota.gates.max_latency_ratio: %g must not be negative", g.MaxLatencyRatio)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"shadow_frames", g.ShadowFrames}, {"probation_frames", g.ProbationFrames}, {"min_frames", g.MinFrames}} {
		if f.v < 0 {
			add("ota.gates.%s: %d must not be negative", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    Duration
	}{{"max_latency_p99", g.MaxLatencyP99}, {"shadow_duration", g.ShadowDuration}, {"probation_duration", g.ProbationDuration}} {
		if f.v < 0 {
			add("ota.gates.%s: %v must not be negative", f.name, f.v)
		}
	}
	return errs
}
