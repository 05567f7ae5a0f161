package monitor

import "github.com/fovea-edge/fovea/monitor/framestats"

// Camera health tests.
const (
	testBlack = iota
	testBlownOut
	testUniform
	testFrozen
	nHealth
)

var healthTests = [nHealth]string{"black", "blown_out", "uniform", "frozen"}

// Per-frame conditions of a broken camera, on framestats values.
const (
	// black: nearly every sample point darker than 16 and the mean below 12.
	blackDark, blackMean = 0.95, 12.0
	// blown out: nearly every sample point brighter than 239.
	blownBright = 0.95
	// uniform (lens covered, grey test pattern, dead sensor): RMS
	// contrast below 2 levels and no edges.
	uniformContrast, uniformSharpness = 2.0, 4.0
	// frozen: mean absolute luma change below 0.05 levels.
	frozenChange = 0.05
)

type healthPart struct {
	alarms [nHealth]alarm
	last   framestats.Stats
}

func newHealthPart(c *Config) *healthPart {
	h := &healthPart{}
	on := Threshold{Raise: 1, Clear: 0}
	for i, name := range healthTests {
		n := c.BrokenFrames
		if i == testFrozen {
			n = c.FrozenFrames - 1 // a frozen frame is one equal to the previous
		}
		h.alarms[i] = newAlarm(KindCamera, name, on, max(n, 1))
	}
	return h
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (h *healthPart) observe(s *framestats.Stats, changed *[nHealth]bool) {
	h.last = *s
	changed[testBlack] = h.alarms[testBlack].update(flag(s.Dark >= blackDark && s.Brightness < blackMean))
	changed[testBlownOut] = h.alarms[testBlownOut].update(flag(s.Bright >= blownBright))
	changed[testUniform] = h.alarms[testUniform].update(flag(s.Contrast < uniformContrast && s.Sharpness < uniformSharpness &&
		s.Dark < blackDark && s.Bright < blownBright))
	changed[testFrozen] = h.alarms[testFrozen].update(flag(s.Change >= 0 && s.Change < frozenChange))
}

func (h *healthPart) evidence() map[string]float64 {
	s := &h.last
	return map[string]float64{"brightness": s.Brightness, "contrast": s.Contrast, "sharpness": s.Sharpness,
		"dark_share": s.Dark, "bright_share": s.Bright, "change": s.Change}
}
