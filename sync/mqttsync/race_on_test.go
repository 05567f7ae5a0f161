//go:build race

package mqttsync

// raceEnabled reports whether the test binary was built with -race.
const raceEnabled = true
