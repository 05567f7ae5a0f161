//go:build race

package imagedir

// raceEnabled is true when the race detector is on; slow decode-only tests
// skip then, as they exercise no concurrency.
const raceEnabled = true
