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
	// One changing frame shows the picture is live again; ask for as
	// many as a broken camera needs to recover.
	h.alarms[testFrozen].clearPersist = c.BrokenFrames
	return h
}

func boolScore(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (h *healthPart) observe(s *framestats.Stats, changed *[nHealth]bool) {
	h.last = *s
	black := s.Dark >= blackDark && s.Brightness < blackMean
	blown := s.Bright >= blownBright
	uniform := s.Contrast < uniformContrast && s.Sharpness < uniformSharpness && !black && !blown
	// A black, blown-out or uniform picture does not change either; it is
	// reported as what it is, not as frozen.
	frozen := s.Change >= 0 && s.Change < frozenChange && !black && !blown && !uniform
	changed[testBlack] = h.alarms[testBlack].update(boolScore(black))
	changed[testBlownOut] = h.alarms[testBlownOut].update(boolScore(blown))
	changed[testUniform] = h.alarms[testUniform].update(boolScore(uniform))
	changed[testFrozen] = h.alarms[testFrozen].update(boolScore(frozen))
}

func (h *healthPart) evidence() map[string]float64 {
	s := &h.last
	return map[string]float64{"brightness": s.Brightness, "contrast": s.Contrast, "sharpness": s.Sharpness,
		"dark_share": s.Dark, "bright_share": s.Bright, "change": s.Change}
}
