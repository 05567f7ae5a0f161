package monitor

import (
	"math"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/monitor/framestats"
)

// sampleIDs is the number of sequence numbers an event carries.
const sampleIDs = 16

// camState is everything the monitor knows about one camera.
type camState struct {
	mu  sync.Mutex
	id  string
	cfg *Config

	sampler framestats.Sampler
	fs      framestats.Stats
	iv      [nInput]float64
	in      *inputPart
	out     *outputPart
	emb     *embedPart
	lab     *labelPart
	health  *healthPart
	decay   alarm
	seqs    seqRing

	labels      []string // of the last frame (the model's)
	model       string   // sha256 of the model the output reference belongs to
	inWarm      int
	outWarm     int
	results     uint64
	lastRetrain time.Time
	profile     Profile // current reference (loaded or learned)

	inChanged     [nInput]bool
	outChanged    [nOutput]bool
	healthChanged [nHealth]bool
}

func newCamState(id string, cfg *Config) *camState {
	c := &camState{id: id, cfg: cfg, in: newInputPart(cfg), out: newOutputPart(cfg), emb: newEmbedPart(cfg),
		lab: newLabelPart(cfg), health: newHealthPart(cfg), seqs: newSeqRing(cfg.Window),
		profile: Profile{Version: ProfileVersion}}
	c.decay = newAlarm(KindDecay, "accuracy_estimate", cfg.Thresholds.Decay, cfg.Persist)
	return c
}

// setProfile installs a reference; parts it lacks are learned.
func (c *camState) setProfile(p *Profile) {
	if len(p.Input) > 0 {
		c.in.setRef(p.Input, c.cfg.Window)
		c.profile.Input = p.Input
	}
	if p.Output != nil {
		c.model = p.Output.Model
		c.out.setRef(p.Output, c.cfg.Window)
		c.profile.Output = p.Output
		c.decay.reset()
	}
	if p.Embedding != nil {
		c.emb.setRef(p.Embedding)
		c.profile.Embedding = p.Embedding
	}
	c.profile.Results = p.Results
}

// observe runs every test on one frame. It appends events to *events
// (allocating only then) and reports whether a drift or decay alarm is
// raised.
func (c *camState) observe(f *Frame, events *[]Event) (drifting bool) {
	c.results++
	if f.Labels != nil {
		c.labels = f.Labels
	}
	switch {
	case f.measured != nil:
		c.fs = *f.measured
		c.observeStats(f, events)
	case f.Image != nil:
		c.sampler.Measure(f.Image, &c.fs)
		c.observeStats(f, events)
	}
	if len(f.Top) > 0 {
		c.observeOutput(f, events)
	}
	if f.Embedding != nil && c.emb.tensor != "" {
		c.observeEmbedding(f, events)
	}
	return c.drifting()
}

// observeStats runs the camera and input tests on c.fs.
func (c *camState) observeStats(f *Frame, events *[]Event) {
	c.health.observe(&c.fs, &c.healthChanged)
	for i, ch := range c.healthChanged {
		if ch {
			a := &c.health.alarms[i]
			*events = append(*events, c.event(f, a, c.health.evidence(), nil))
		}
	}
	if c.brokenLocked() {
		return // a broken camera's frames say nothing about drift
	}
	inputValues(&c.fs, &c.iv)
	c.in.observe(&c.iv, &c.inChanged)
	if !c.in.ready {
		if c.inWarm++; c.inWarm >= c.cfg.WarmUp {
			ref := c.in.learn()
			c.in.setRef(ref, c.cfg.Window)
			c.profile.Input = ref
			c.profile.Results = max(c.profile.Results, c.inWarm)
		}
		return
	}
	for i, ch := range c.inChanged {
		if ch {
			c.changed(f, &c.in.alarms[i], c.in.evidence(i), events)
		}
	}
}

func (c *camState) observeOutput(f *Frame, events *[]Event) {
	k := max(len(f.Labels), f.Classes, len(f.Scores), 1)
	if f.Model.SHA256 != c.model || c.out.warmClass == nil && c.out.ref == nil {
		// A new model: its outputs need a new reference.
		c.model = f.Model.SHA256
		c.out.reset(k)
		c.outWarm = 0
		c.decay.reset()
		c.profile.Output = nil
	}
	top := f.Top[0]
	conf := min(max(float64(top.Score), 0), 1)
	var ent float64
	if f.Scores != nil {
		ent = entropyScores(f.Scores)
	} else {
		ent = entropyTop(f.Top, k)
	}
	c.seqs.push(f.Seq, conf)
	c.lab.remember(f.Seq, top.Index)
	known := f.Truth != ""
	right := known && f.Truth == top.Label
	if known {
		t := indexOf(f.Labels, f.Truth)
		if t < 0 {
			t = k
		}
		c.lab.add(f.Seq, t, top.Index)
	}
	c.out.observe(top.Index, conf, ent, known, right, &c.outChanged)
	if c.out.ref == nil {
		if c.outWarm++; c.outWarm >= c.cfg.WarmUp {
			ref := c.out.learn(c.model, c.cfg.LowConfidence)
			c.out.setRef(ref, c.cfg.Window)
			c.profile.Output = ref
			c.profile.Results = max(c.profile.Results, c.outWarm)
		}
		return
	}
	for i, ch := range c.outChanged {
		if ch {
			c.changed(f, &c.out.alarms[i], c.out.evidence(i), events)
		}
	}
	c.observeDecay(f, events)
}

// observeDecay compares accuracy from labels, or else the estimate, with
// the reference.
func (c *camState) observeDecay(f *Frame, events *[]Event) {
	acc, n := c.lab.accuracy()
	ref := c.out.ref
	var score float64
	switch {
	case n >= c.cfg.MinLabels && ref.Accuracy != nil:
		c.decay.test = "accuracy"
		score = *ref.Accuracy - acc
	default:
		est, _, ok := c.out.estimate()
		if !ok {
			return
		}
		c.decay.test = "accuracy_estimate"
		score = c.out.refEstimate() - est
	}
	if c.decay.update(score) {
		c.changed(f, &c.decay, c.decayEvidence(), events)
	}
}

func (c *camState) decayEvidence() map[string]float64 {
	v := map[string]float64{"score": c.decay.score}
	if acc, n := c.lab.accuracy(); n > 0 {
		v["accuracy"], v["labels"] = acc, float64(n)
	}
	if est, method, ok := c.out.estimate(); ok {
		v["accuracy_estimate"] = est
		v["estimate_atc"] = boolScore(method == MethodATC)
	}
	if c.out.ref.Accuracy != nil {
		v["reference_accuracy"] = *c.out.ref.Accuracy
	}
	v["reference_mean_confidence"] = c.out.ref.MeanConfidence
	return v
}

func (c *camState) observeEmbedding(f *Frame, events *[]Event) {
	ch := c.emb.observe(f.Embedding)
	if c.emb.ref == nil {
		if c.emb.warmN >= c.cfg.WarmUp {
			ref := c.emb.learn()
			c.emb.setRef(ref)
			c.profile.Embedding = ref
		}
		return
	}
	if ch {
		c.changed(f, &c.emb.alarm, c.emb.evidence(), events)
	}
}

// changed appends the event of a drift or decay alarm's change and, on a
// raise outside the cooldown, a retraining trigger.
func (c *camState) changed(f *Frame, a *alarm, values map[string]float64, events *[]Event) {
	ev := c.event(f, a, values, c.seqs.lowest(sampleIDs))
	*events = append(*events, ev)
	if !a.active || a.kind == KindCamera {
		return
	}
	if !c.lastRetrain.IsZero() && f.Time.Sub(c.lastRetrain) < c.cfg.RetrainCooldown.D() {
		return
	}
	c.lastRetrain = f.Time
	rt := Event{Kind: KindRetrain, State: StateTriggered, Camera: c.id, Test: a.test, Window: ev.Window,
		Values: values, Thresholds: ev.Thresholds, SampleIDs: ev.SampleIDs, Time: f.Time, Model: c.model}
	for _, x := range c.activeDrift() {
		rt.Evidence = append(rt.Evidence, c.event(f, x, c.valuesOf(x), nil))
	}
	*events = append(*events, rt)
}

func (c *camState) event(f *Frame, a *alarm, values map[string]float64, ids []uint64) Event {
	if values == nil {
		values = map[string]float64{}
	}
	if _, ok := values["score"]; !ok {
		values["score"] = a.score
	}
	w := c.seqs.window()
	if a.kind == KindCamera {
		w = Window{FirstSeq: f.Seq, LastSeq: f.Seq, Results: a.persist}
	}
	return Event{Kind: a.kind, State: a.state(), Camera: c.id, Test: a.test, Window: w, Values: values,
		Thresholds: a.thresholds(), SampleIDs: ids, Time: f.Time, Model: c.model}
}

// activeDrift lists the raised drift and decay alarms.
func (c *camState) activeDrift() []*alarm {
	var out []*alarm
	for i := range c.in.alarms {
		if c.in.alarms[i].active {
			out = append(out, &c.in.alarms[i])
		}
	}
	for i := range c.out.alarms {
		if c.out.alarms[i].active {
			out = append(out, &c.out.alarms[i])
		}
	}
	if c.emb.alarm.active {
		out = append(out, &c.emb.alarm)
	}
	if c.decay.active {
		out = append(out, &c.decay)
	}
	return out
}

func (c *camState) valuesOf(a *alarm) map[string]float64 {
	for i := range c.in.alarms {
		if a == &c.in.alarms[i] {
			return c.in.evidence(i)
		}
	}
	for i := range c.out.alarms {
		if a == &c.out.alarms[i] {
			return c.out.evidence(i)
		}
	}
	if a == &c.emb.alarm {
		return c.emb.evidence()
	}
	return c.decayEvidence()
}

func (c *camState) drifting() bool {
	for i := range c.in.alarms {
		if c.in.alarms[i].active {
			return true
		}
	}
	for i := range c.out.alarms {
		if c.out.alarms[i].active {
			return true
		}
	}
	return c.emb.alarm.active || c.decay.active
}

func (c *camState) brokenLocked() bool {
	for i := range c.health.alarms {
		if c.health.alarms[i].active {
			return true
		}
	}
	return false
}

// offer builds the capture offer of a frame.
func offerOf(f *Frame, drifting bool, o *capture.Offer) {
	*o = capture.Offer{Camera: f.Camera, Seq: f.Seq, Time: f.Time, Image: f.Image, Shadow: f.Shadow,
		Drifting: drifting, Model: f.Model}
	if len(f.Top) > 0 {
		o.Label, o.Confidence = f.Top[0].Label, float64(f.Top[0].Score)
	}
}

func entropyScores(p []float32) float64 {
	if len(p) < 2 {
		return 0
	}
	h := 0.0
	for _, s := range p {
		if s > 0 {
			h -= float64(s) * math.Log(float64(s))
		}
	}
	return min(max(h/math.Log(float64(len(p))), 0), 1)
}
