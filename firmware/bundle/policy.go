package bundle

import (
	"fmt"

	"github.com/fovea-edge/fovea/firmware/semver"
)

// CheckInstall decides whether m may replace the installed version
// (empty when none) on an agent of version agent: the bundle must be newer
// unless allowDowngrade (which only a signed deployment sets), and the
// agent at least m.MinAgentVersion. An agent version that is not semantic
// ("dev" builds) skips the agent check.
func CheckInstall(m *Manifest, installed, agent string, allowDowngrade bool) error {
	if installed != "" && !allowDowngrade {
		c, err := semver.Compare(m.Version, installed)
		if err != nil {
			return fmt.Errorf("bundle.CheckInstall: %w", err)
		}
		if c <= 0 {
			return fmt.Errorf("bundle.CheckInstall: %s %s, installed %s: %w", m.Name, m.Version, installed, ErrDowngrade)
		}
	}
	if m.MinAgentVersion != "" && semver.Valid(agent) {
		if c, _ := semver.Compare(agent, m.MinAgentVersion); c < 0 {
			return fmt.Errorf("bundle.CheckInstall: %s %s needs agent ≥ %s; this is %s: %w", m.Name, m.Version, m.MinAgentVersion, agent, ErrAgentTooOld)
		}
	}
	return nil
}
