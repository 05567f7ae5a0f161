package capture

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/internal/base/imaging"
)

// Static is the provenance that is the same for every sample of a run.
type Static struct {
	Device       string
	ConfigHash   string
	AgentVersion string
}

// Offer describes one result the capturer may keep.
type Offer struct {
	Camera     string
	Seq        uint64
	Time       time.Time
	Image      image.Image // valid during Offer only
	Label      string      // the active model's top-1
	Confidence float64
	// Shadow is a shadow model's top-1 label, "" when none ran.
	Shadow string
	// Drifting is true while a drift or decay alarm of the camera is
	// raised.
	Drifting bool
	Model    Model
}

// Model identifies the model that produced the result.
type Model struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// Provenance says where a sample comes from and why it was kept.
type Provenance struct {
	Device       string    `json:"device"`
	Camera       string    `json:"camera"`
	Seq          uint64    `json:"seq"`
	Time         time.Time `json:"time"`
	Model        Model     `json:"model"`
	ConfigHash   string    `json:"config_hash"`
	AgentVersion string    `json:"agent_version"`
	Rule         string    `json:"rule"`
	Label        string    `json:"label"`
	Confidence   float64   `json:"confidence"`
	Shadow       string    `json:"shadow,omitempty"`
	// Masks is the number of rectangles blanked; Width and Height the
	// stored size and Downscaled whether it is smaller than the frame.
	Masks      int  `json:"masks"`
	Width      int  `json:"width"`
	Height     int  `json:"height"`
	Downscaled bool `json:"downscaled"`
}

// Sample is a captured frame: PNG bytes and provenance. ID is
// "<camera>/<seq>".
type Sample struct {
	ID         string     `json:"id"`
	Provenance Provenance `json:"provenance"`
	PNG        []byte     `json:"-"`
}

// Stats count what the capturer did.
type Stats struct {
	Captured      uint64            `json:"captured"`
	Skipped       map[string]uint64 `json:"skipped"` // by cap: max_samples, max_bytes, max_per_hour
	Expired       uint64            `json:"expired"`
	Retained      int               `json:"retained"`
	RetainedBytes int64             `json:"retained_bytes"`
}

type kept struct {
	id    string
	at    time.Time
	bytes int64
}

// Capturer applies a Policy. It is safe for concurrent use.
type Capturer struct {
	policy  Policy
	static  Static
	cameras map[string]*Camera // by id; read-only after New

	mu      sync.Mutex
	rng     *rand.Rand       // guarded by mu
	kept    []kept           // guarded by mu; oldest first
	bytes   int64            // guarded by mu
	recent  []time.Time      // guarded by mu; capture times in the last hour
	stats   Stats            // guarded by mu
	resizer imaging.Bilinear // guarded by mu
}

// New returns a capturer for p (defaults applied; p must be valid).
func New(p Policy, s Static) *Capturer {
	p = p.Defaults()
	c := &Capturer{policy: p, static: s, rng: rand.New(rand.NewPCG(uint64(p.Seed), 0x5ca1ab1e)),
		stats: Stats{Skipped: map[string]uint64{}}, cameras: map[string]*Camera{}}
	for i := range p.Cameras {
		c.cameras[p.Cameras[i].ID] = &p.Cameras[i]
	}
	return c
}

// Enabled reports whether camera opted in.
func (c *Capturer) Enabled(camera string) bool {
	_, ok := c.cameras[camera]
	return ok
}

// rule returns the first rule of camera that o matches, or "".
func (c *Capturer) rule(o *Offer) string {
	cam, ok := c.cameras[o.Camera]
	if !ok {
		return ""
	}
	r := cam.Rules
	switch {
	case r.LowConfidence > 0 && o.Confidence < r.LowConfidence:
		return RuleLowConfidence
	case r.Disagreement && o.Shadow != "" && o.Shadow != o.Label:
		return RuleDisagreement
	case r.Drift && o.Drifting:
		return RuleDrift
	case r.RandomRate > 0 && c.rng.Float64() < r.RandomRate:
		return RuleRandom
	}
	return ""
}

// Offer decides whether to keep o and, if so, returns the prepared
// sample. It returns nil, without allocating, when no rule matches or a
// cap is reached.
func (c *Capturer) Offer(o *Offer) (*Sample, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rule := c.rule(o)
	if rule == "" {
		return nil, nil
	}
	c.prune(o.Time)
	switch {
	case len(c.kept) >= c.policy.MaxSamples:
		c.stats.Skipped["max_samples"]++
		return nil, nil
	case len(c.recent) >= c.policy.MaxPerHour:
		c.stats.Skipped["max_per_hour"]++
		return nil, nil
	}
	s, err := c.prepare(o, rule)
	if err != nil {
		return nil, fmt.Errorf("capture.Offer: %w", err)
	}
	n := int64(len(s.PNG))
	if c.bytes+n > c.policy.MaxBytes {
		c.stats.Skipped["max_bytes"]++
		return nil, nil
	}
	c.kept = append(c.kept, kept{id: s.ID, at: o.Time, bytes: n})
	c.bytes += n
	c.recent = append(c.recent, o.Time)
	c.stats.Captured++
	return s, nil
}

// prune drops capture times older than an hour.
func (c *Capturer) prune(now time.Time) {
	i := 0
	for i < len(c.recent) && now.Sub(c.recent[i]) >= time.Hour {
		i++
	}
	c.recent = append(c.recent[:0], c.recent[i:]...)
}

// Expire returns the IDs of samples older than the TTL at now and stops
// counting them against the caps; the agent deletes them.
func (c *Capturer) Expire(now time.Time) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	i := 0
	for i < len(c.kept) && now.Sub(c.kept[i].at) >= c.policy.TTL.D() {
		ids = append(ids, c.kept[i].id)
		c.bytes -= c.kept[i].bytes
		i++
	}
	c.kept = append(c.kept[:0], c.kept[i:]...)
	c.stats.Expired += uint64(i)
	return ids
}

// Forget stops counting a sample the agent deleted (for example after an
// operator pulled it); unknown IDs are ignored.
func (c *Capturer) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range c.kept {
		if k.id == id {
			c.bytes -= k.bytes
			c.kept = append(c.kept[:i], c.kept[i+1:]...)
			return
		}
	}
}

// Restore counts a sample kept by an earlier run (the agent lists its
// store at start), so caps and TTL hold across restarts.
func (c *Capturer) Restore(id string, at time.Time, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := len(c.kept)
	for i > 0 && c.kept[i-1].at.After(at) {
		i--
	}
	c.kept = append(c.kept, kept{})
	copy(c.kept[i+1:], c.kept[i:])
	c.kept[i] = kept{id: id, at: at, bytes: size}
	c.bytes += size
}

// Stats returns a copy of the counters.
func (c *Capturer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Skipped = make(map[string]uint64, len(c.stats.Skipped))
	for k, v := range c.stats.Skipped {
		s.Skipped[k] = v
	}
	s.Retained, s.RetainedBytes = len(c.kept), c.bytes
	return s
}

// prepare copies the frame, blanks the masks, downscales and encodes.
func (c *Capturer) prepare(o *Offer, rule string) (*Sample, error) {
	b := o.Image.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("camera %s seq %d: empty frame", o.Camera, o.Seq)
	}
	frame := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(frame, frame.Rect, o.Image, b.Min, draw.Src)
	masks := c.cameras[o.Camera].Masks
	for _, m := range masks {
		draw.Draw(frame, m.image().Intersect(frame.Rect), image.Black, image.Point{}, draw.Src)
	}
	out := frame
	if side := c.policy.MaxSide; side > 0 && max(b.Dx(), b.Dy()) > side {
		w, h := b.Dx(), b.Dy()
		if w >= h {
			w, h = side, max(1, h*side/w)
		} else {
			w, h = max(1, w*side/h), side
		}
		out = image.NewRGBA(image.Rect(0, 0, w, h))
		c.resizer.Resize(out, frame)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, out); err != nil {
		return nil, err
	}
	return &Sample{
		ID: o.Camera + "/" + strconv.FormatUint(o.Seq, 10),
		Provenance: Provenance{
			Device: c.static.Device, Camera: o.Camera, Seq: o.Seq, Time: o.Time, Model: o.Model,
			ConfigHash: c.static.ConfigHash, AgentVersion: c.static.AgentVersion, Rule: rule,
			Label: o.Label, Confidence: o.Confidence, Shadow: o.Shadow, Masks: len(masks),
			Width: out.Rect.Dx(), Height: out.Rect.Dy(), Downscaled: out != frame,
		},
		PNG: buf.Bytes(),
	}, nil
}
