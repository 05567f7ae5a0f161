//go:build !race

package imagedir

const raceEnabled = false
