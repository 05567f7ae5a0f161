package monitor

import (
	"math"
	"slices"

	"github.com/fovea-edge/fovea/monitor/framestats"
	"github.com/fovea-edge/fovea/monitor/stats"
)

// inputTests name the frame statistics in the order of inputValues.
var inputTests = [...]string{"brightness", "contrast", "sharpness", "color_r", "color_g", "color_b"}

const nInput = len(inputTests)

// inputBins is the number of quantile bins of a learned input reference.
const inputBins = 10

func inputValues(s *framestats.Stats, v *[nInput]float64) {
	*v = [nInput]float64{s.Brightness, s.Contrast, s.Sharpness, s.R, s.G, s.B}
}

// inputPart is the input drift of one camera: one PSI test per statistic.
type inputPart struct {
	ref    [nInput]StatRef
	ready  bool
	warm   [nInput][]float64 // warm-up values, len ≤ WarmUp
	rings  [nInput]binRing
	values [nInput][]float32 // window values for event evidence
	alarms [nInput]alarm
}

func newInputPart(c *Config) *inputPart {
	p := &inputPart{}
	for i, name := range inputTests {
		p.warm[i] = make([]float64, 0, c.WarmUp)
		p.values[i] = make([]float32, c.Window)
		p.alarms[i] = newAlarm(KindDrift, name, c.Thresholds.Input, c.Persist)
	}
	return p
}

// setRef installs a reference (from a profile or learned).
func (p *inputPart) setRef(ref map[string]StatRef, window int) {
	for i, name := range inputTests {
		p.ref[i] = ref[name]
		p.rings[i] = newBinRing(window, len(p.ref[i].Probs))
		p.alarms[i].reset()
	}
	p.ready = true
}

// learn builds the reference from the warm-up values (allocates; once).
func (p *inputPart) learn() map[string]StatRef {
	ref := make(map[string]StatRef, nInput)
	for i, name := range inputTests {
		v := slices.Clone(p.warm[i])
		slices.Sort(v)
		edges := stats.QuantileEdges(v, inputBins, make([]float64, 0, inputBins))
		counts := make([]int32, len(edges)+1)
		var sum, sum2 float64
		for _, x := range v {
			counts[stats.Bin(edges, x)]++
			sum += x
			sum2 += x * x
		}
		n := float64(len(v))
		mean := sum / n
		ref[name] = StatRef{Edges: edges, Probs: stats.Probabilities(counts, make([]float64, len(counts))),
			Mean: mean, Std: math.Sqrt(max(sum2/n-mean*mean, 0))}
		p.warm[i] = nil
	}
	return ref
}

// observe adds one frame's statistics; it returns the indices of the
// alarms that changed state.
func (p *inputPart) observe(v *[nInput]float64, changed *[nInput]bool) {
	for i := range nInput {
		changed[i] = false
		if !p.ready {
			if len(p.warm[i]) < cap(p.warm[i]) {
				p.warm[i] = append(p.warm[i], v[i])
			}
			continue
		}
		r := &p.rings[i]
		p.values[i][r.pos] = float32(v[i])
		r.push(stats.Bin(p.ref[i].Edges, v[i]))
		if !r.full() {
			continue
		}
		changed[i] = p.alarms[i].update(stats.PSI(p.ref[i].Probs, r.counts, r.n))
	}
}

// evidence describes test i for an event.
func (p *inputPart) evidence(i int) map[string]float64 {
	var sum float64
	for _, x := range p.values[i] {
		sum += float64(x)
	}
	ref := &p.ref[i]
	mean := sum / float64(len(p.values[i]))
	z := 0.0
	if ref.Std > 0 {
		z = (mean - ref.Mean) / ref.Std
	}
	return map[string]float64{"score": p.alarms[i].score, "psi": p.alarms[i].score,
		"reference_mean": ref.Mean, "reference_std": ref.Std, "window_mean": mean, "standardized_shift": z}
}
