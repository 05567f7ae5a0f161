//go:build opencv

package opencv

import "strings"

// check is the camera.Checker of opencv:. It reads rest as parseTarget
// does, but a device need not be plugged in yet (the agent retries it)
// and a stream is not contacted: only an empty name, a missing video file
// or a folder are errors.
func check(rest string) error {
	t := strings.TrimSpace(rest)
	if t != "" && (isDigits(t) || strings.Contains(t, " ! ") || strings.Contains(t, "://") || strings.HasPrefix(t, "/dev/")) {
		return nil
	}
	_, err := parseTarget(t)
	return err
}
