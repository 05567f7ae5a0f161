package agent

import (
	"runtime/debug"
	"sync"
)

// Version is the agent's release, set at build time:
//
//	go build -ldflags "-X github.com/fovea-edge/fovea/agent.Version=v1.2.3 -X github.com/fovea-edge/fovea/agent.commit=abc123"
var Version = "dev"

// commit is the source revision, set at build time; when empty, Commit
// reads it from the build information Go embeds (vcs.revision).
var commit = ""

var vcsRevision = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
})

// Commit returns the source revision of this build.
func Commit() string {
	if commit != "" {
		return commit
	}
	return vcsRevision()
}
