package monitor

import (
	"cmp"
	"math"
	"slices"

	"github.com/fovea-edge/fovea/infer"

	"github.com/fovea-edge/fovea/monitor/stats"
)

// maxClassBins bounds the bins of the predicted-class test: with many
// classes (ImageNet's 1000) a window of a few hundred results leaves most
// classes empty, so the most frequent reference classes get a bin each
// and the rest share one.
const maxClassBins = 20

// Output test indices.
const (
	testClasses = iota
	testConfidence
	testEntropy
	testLowConfidence
	nOutput
)

// outputPart is the output drift of one camera.
type outputPart struct {
	ref    *OutputRef
	lowBin int // confidence bins below it are low-confidence
	atcBin int // ATC threshold bin (−1 when the reference accuracy is unknown)

	classes, conf, ent binRing
	confSum            float64 // over the window, for the average-confidence estimate
	confRing           []float32
	alarms             [nOutput]alarm

	// warm-up
	warmN                   int
	warmClass               []int32
	warmConf, warmEnt       [probBins]int32
	warmConfSum             float64
	warmLabelled, warmRight int
}

func newOutputPart(c *Config) *outputPart {
	p := &outputPart{atcBin: -1, confRing: make([]float32, c.Window)}
	p.alarms[testClasses] = newAlarm(KindDrift, "classes", c.Thresholds.Classes, c.Persist)
	p.alarms[testConfidence] = newAlarm(KindDrift, "confidence", c.Thresholds.Confidence, c.Persist)
	p.alarms[testEntropy] = newAlarm(KindDrift, "entropy", c.Thresholds.Confidence, c.Persist)
	p.alarms[testLowConfidence] = newAlarm(KindDrift, "low_confidence", c.Thresholds.LowConfidence, c.Persist)
	p.conf = newBinRing(c.Window, probBins)
	p.ent = newBinRing(c.Window, probBins)
	p.lowBin = int(math.Round(c.LowConfidence * probBins))
	return p
}

func (p *outputPart) setRef(ref *OutputRef, window int) {
	p.ref = ref
	p.classes = newBinRing(window, len(ref.ClassProbs))
	p.conf.clear()
	p.ent.clear()
	clear(p.confRing)
	p.confSum = 0
	for i := range p.alarms {
		p.alarms[i].reset()
	}
	p.atcBin = -1
	if ref.Accuracy != nil {
		p.atcBin = atcBin(ref.Confidence, *ref.Accuracy)
	}
}

// atcBin is Average Thresholded Confidence's threshold (Garg et al.,
// ICLR 2022) on the binned reference: the bin b whose share of reference
// confidences at or above it is closest to the reference accuracy.
func atcBin(conf []float64, acc float64) int {
	best, bestD := 0, math.Inf(1)
	above := 0.0
	for b := len(conf) - 1; b >= 0; b-- {
		above += conf[b]
		if d := math.Abs(above - acc); d < bestD {
			best, bestD = b, d
		}
	}
	return best
}

// reset forgets the reference and the warm-up (a new model).
func (p *outputPart) reset(classes int) {
	p.ref = nil
	p.warmN, p.warmConfSum, p.warmLabelled, p.warmRight = 0, 0, 0, 0
	p.warmClass = make([]int32, classes)
	p.warmConf, p.warmEnt = [probBins]int32{}, [probBins]int32{}
}

// learn builds the reference from the warm-up (allocates; once per
// model).
func (p *outputPart) learn(model string, lowConf float64) *OutputRef {
	k := len(p.warmClass)
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.warmClass[b], p.warmClass[a]) })
	bins := min(k, maxClassBins)
	classBins := make([]int, k)
	counts := make([]int32, bins)
	for r, c := range order {
		b := min(r, bins-1)
		classBins[c] = b
		counts[b] += p.warmClass[c]
	}
	ref := &OutputRef{Model: model, Classes: k, ClassBins: classBins,
		ClassProbs: stats.Probabilities(counts, make([]float64, bins)),
		Confidence: stats.Probabilities(p.warmConf[:], make([]float64, probBins)),
		Entropy:    stats.Probabilities(p.warmEnt[:], make([]float64, probBins)),
	}
	low := 0
	for b := range int(math.Round(lowConf * probBins)) {
		low += int(p.warmConf[b])
	}
	ref.LowConfidence = float64(low) / float64(p.warmN)
	ref.MeanConfidence = p.warmConfSum / float64(p.warmN)
	if p.warmLabelled > 0 && p.warmLabelled*2 >= p.warmN {
		acc := float64(p.warmRight) / float64(p.warmLabelled)
		ref.Accuracy = &acc
	}
	return ref
}

// observe adds one result; changed reports the alarms that changed.
func (p *outputPart) observe(class int, conf, ent float64, truthKnown, right bool, changed *[nOutput]bool) {
	*changed = [nOutput]bool{}
	cb := stats.UniformBin(conf, 0, 1, probBins)
	eb := stats.UniformBin(ent, 0, 1, probBins)
	if p.ref == nil {
		if class < len(p.warmClass) {
			p.warmClass[class]++
		}
		p.warmConf[cb]++
		p.warmEnt[eb]++
		p.warmConfSum += conf
		p.warmN++
		if truthKnown {
			p.warmLabelled++
			if right {
				p.warmRight++
			}
		}
		return
	}
	bin := len(p.ref.ClassProbs) - 1
	if class < len(p.ref.ClassBins) {
		bin = p.ref.ClassBins[class]
	}
	p.confSum += conf - float64(p.confRing[p.conf.pos])
	p.confRing[p.conf.pos] = float32(conf)
	p.classes.push(bin)
	p.conf.push(cb)
	p.ent.push(eb)
	if !p.conf.full() {
		return
	}
	n := p.conf.n
	changed[testClasses] = p.alarms[testClasses].update(stats.PSI(p.ref.ClassProbs, p.classes.counts, n))
	changed[testConfidence] = p.alarms[testConfidence].update(stats.KS(p.ref.Confidence, p.conf.counts, n))
	changed[testEntropy] = p.alarms[testEntropy].update(stats.KS(p.ref.Entropy, p.ent.counts, n))
	changed[testLowConfidence] = p.alarms[testLowConfidence].update(p.lowShare() - p.ref.LowConfidence)
}

func (p *outputPart) lowShare() float64 {
	low := int32(0)
	for _, c := range p.conf.counts[:p.lowBin] {
		low += c
	}
	return float64(low) / float64(max(p.conf.n, 1))
}

// estimate is the estimated accuracy of the window and its method: ATC
// when the reference accuracy is known, else the average confidence.
func (p *outputPart) estimate() (est float64, method string, ok bool) {
	if p.ref == nil || !p.conf.full() {
		return 0, "", false
	}
	if p.atcBin >= 0 {
		above := int32(0)
		for _, c := range p.conf.counts[p.atcBin:] {
			above += c
		}
		return float64(above) / float64(p.conf.n), MethodATC, true
	}
	return p.confSum / float64(p.conf.n), MethodAverageConfidence, true
}

// Estimate methods.
const (
	MethodATC               = "atc"
	MethodAverageConfidence = "average_confidence"
)

// refEstimate is the estimate's reference value: the reference accuracy
// for ATC, the reference mean confidence otherwise.
func (p *outputPart) refEstimate() float64 {
	if p.atcBin >= 0 {
		return *p.ref.Accuracy
	}
	return p.ref.MeanConfidence
}

func (p *outputPart) evidence(i int) map[string]float64 {
	a := &p.alarms[i]
	v := map[string]float64{"score": a.score}
	switch i {
	case testClasses:
		stat, df := stats.ChiSquare(p.ref.ClassProbs, p.classes.counts, p.classes.n)
		v["psi"], v["chi_square"], v["df"], v["p_value"] = a.score, stat, float64(df), stats.ChiSquareP(stat, df)
	case testConfidence, testEntropy:
		v["ks"], v["p_value"] = a.score, stats.KSP(a.score, p.conf.n, 1000)
	case testLowConfidence:
		v["window_share"], v["reference_share"] = p.lowShare(), p.ref.LowConfidence
	}
	v["window_mean_confidence"] = p.confSum / float64(max(p.conf.n, 1))
	v["reference_mean_confidence"] = p.ref.MeanConfidence
	return v
}

// entropyTop is the Shannon entropy of a class distribution normalised
// by ln(k) to [0, 1], from its top classes only: the remaining mass is
// taken as spread evenly over the other k − len(top) classes (which gives
// an upper bound of the true entropy).
func entropyTop(top []infer.Class, k int) float64 {
	if k < 2 {
		return 0
	}
	h, rest := 0.0, 1.0
	for _, c := range top {
		p := float64(c.Score)
		if p > 0 {
			h -= p * math.Log(p)
		}
		rest -= p
	}
	if others := k - len(top); others > 0 && rest > 1e-9 {
		h -= rest * math.Log(rest/float64(others))
	}
	return min(max(h/math.Log(float64(k)), 0), 1)
}
