package shapes

import (
	"image"
	"math"
	"math/rand/v2"
)

// Params are everything random about one frame, drawn by Scene.Params. They
// are exported so tests can render a chosen scene.
type Params struct {
	Class string
	// CX, CY are the shape centre and R its circumradius, in pixels of the
	// untilted scene; Theta is its rotation in radians.
	CX, CY, R, Theta float64
	// Fg is the shape colour and Bg the background base colour (0..255).
	Fg, Bg [3]float64
	// Grad is the per-channel change of the background across the frame
	// along GradAngle.
	Grad      [3]float64
	GradAngle float64
	// A grey sinusoidal texture of amplitude WaveAmp and wavelength
	// WaveLen pixels, along WaveAngle, with phase WavePhase.
	WaveAmp, WaveLen, WaveAngle, WavePhase float64
	// NoiseSigma is the sensor noise (levels) and Gain the exposure.
	NoiseSigma, Gain float64
}

// Frame is one rendered picture and its ground truth.
type Frame struct {
	Image *image.RGBA
	Label string
}

// streams derive the two random streams of frame index: the scene's own
// (geometry, colours, noise) and the drift's, kept apart so a drifted
// frame is the undrifted one plus the drift.
func (s Scene) streams(index uint64) (scene, drift *rand.Rand) {
	scene = rand.New(rand.NewPCG(s.Seed, index))
	drift = rand.New(rand.NewPCG(s.Seed^0x9e3779b97f4a7c15, index^0xd1b54a32d192ed03))
	return scene, drift
}

// Params draws the random parameters of frame index.
func (s Scene) Params(index uint64) Params {
	rng, _ := s.streams(index)
	return drawParams(rng, s.Size, s.classes())
}

func drawParams(rng *rand.Rand, size int, classes []string) Params {
	n := float64(size)
	p := Params{Class: classes[rng.IntN(len(classes))]}
	p.R = n * (0.22 + 0.18*rng.Float64())
	margin := p.R * 0.9
	p.CX = margin + (n-2*margin)*rng.Float64()
	p.CY = margin + (n-2*margin)*rng.Float64()
	p.Theta = 2 * math.Pi * rng.Float64()
	for c := range 3 {
		p.Bg[c] = 20 + 215*rng.Float64()
	}
	// The shape must stand out from the background: require a luminance
	// difference, and fall back to the background's complement.
	p.Fg = [3]float64{255 - p.Bg[0], 255 - p.Bg[1], 255 - p.Bg[2]}
	for range 32 {
		var fg [3]float64
		for c := range 3 {
			fg[c] = 255 * rng.Float64()
		}
		if math.Abs(luma(fg)-luma(p.Bg)) >= 80 {
			p.Fg = fg
			break
		}
	}
	for c := range 3 {
		p.Grad[c] = 50 * (rng.Float64() - 0.5)
	}
	p.GradAngle = 2 * math.Pi * rng.Float64()
	p.WaveAmp = 12 * rng.Float64()
	p.WaveLen = n * (0.3 + 0.5*rng.Float64())
	p.WaveAngle = 2 * math.Pi * rng.Float64()
	p.WavePhase = 2 * math.Pi * rng.Float64()
	p.NoiseSigma = 6 * rng.Float64()
	p.Gain = 0.8 + 0.4*rng.Float64()
	return p
}

func luma(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

// Render renders frame index of the scene; drifted applies s.Drifts.
func (s Scene) Render(index uint64, drifted bool) Frame {
	rng, drng := s.streams(index)
	p := drawParams(rng, s.Size, s.classes())
	var drifts []Drift
	if drifted {
		drifts = s.Drifts
		for _, d := range drifts {
			if d.Kind == NewClass && drng.Float64() < d.Amount {
				p.Class = Hexagon
			}
		}
	}
	return Frame{Image: renderParams(s.Size, p, drifts, rng, drng), Label: p.Class}
}

// RenderParams renders chosen parameters with the given drifts; seed
// drives the sensor and drift noise.
func RenderParams(size int, p Params, drifts []Drift, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	drng := rand.New(rand.NewPCG(seed, 2))
	return renderParams(size, p, drifts, rng, drng)
}

func renderParams(size int, p Params, drifts []Drift, rng, drng *rand.Rand) *image.RGBA {
	pl := newPlanes(size)
	t := tiltScale(drifts)
	mid := float64(size) / 2
	drawBackground(pl, p, t)
	drawShape(pl, p, t, mid)
	for c := range pl.ch {
		for i := range pl.ch[c] {
			pl.ch[c][i] += float32(rng.NormFloat64() * p.NoiseSigma)
		}
	}
	applyPixelDrifts(pl, drifts, drng)
	for c := range pl.ch {
		g := float32(p.Gain)
		for i := range pl.ch[c] {
			pl.ch[c][i] *= g
		}
	}
	return pl.rgba()
}

// sceneY maps a pixel row (its centre) to the untilted scene.
func sceneY(y, mid, t float64) float64 { return mid + (y-mid)/t }

func drawBackground(pl *planes, p Params, t float64) {
	n := float64(pl.size)
	mid := n / 2
	gc, gs := math.Cos(p.GradAngle), math.Sin(p.GradAngle)
	wc, ws := math.Cos(p.WaveAngle), math.Sin(p.WaveAngle)
	for y := range pl.size {
		sy := sceneY(float64(y)+0.5, mid, t)
		for x := range pl.size {
			sx := float64(x) + 0.5
			along := ((sx-mid)*gc + (sy-mid)*gs) / n
			wave := p.WaveAmp * math.Sin(2*math.Pi*((sx*wc+sy*ws)/p.WaveLen)+p.WavePhase)
			i := y*pl.size + x
			for c := range 3 {
				pl.ch[c][i] = float32(p.Bg[c] + p.Grad[c]*along + wave)
			}
		}
	}
}

// Unit-circumradius outlines. The circle's radius is smaller than the
// polygons' circumradius so that areas are alike and size is no cue.
const circleRadius = 0.85

var outlines = map[string][][2]float64{
	Square:   regular(4, math.Pi/4, 1, 1),
	Triangle: regular(3, math.Pi/2, 1, 1),
	Star:     regular(10, math.Pi/2, 1, 0.45),
	Hexagon:  regular(6, 0, 1, 1),
}

// regular returns a polygon of n vertices starting at angle a0, alternating
// between radius r0 and r1 (r0 = r1 for a regular polygon).
func regular(n int, a0, r0, r1 float64) [][2]float64 {
	v := make([][2]float64, n)
	for i := range n {
		r := r0
		if i%2 == 1 {
			r = r1
		}
		a := a0 + 2*math.Pi*float64(i)/float64(n)
		v[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	return v
}

// Radii (unit circumradius) within which each outline is entirely filled
// (its inscribed circle, rounded down) and beyond which it is empty.
var inner = map[string]float64{Circle: circleRadius, Square: 0.70, Triangle: 0.49, Star: 0.35, Hexagon: 0.86}

func outer(class string) float64 {
	if class == Circle {
		return circleRadius
	}
	return 1
}

// inside reports whether shape-local point (u, v) is inside the outline
// poly, or the circle when poly is nil.
func inside(poly [][2]float64, u, v float64) bool {
	if poly == nil {
		return u*u+v*v <= circleRadius*circleRadius
	}
	in := false
	j := len(poly) - 1
	for i := range poly {
		xi, yi := poly[i][0], poly[i][1]
		xj, yj := poly[j][0], poly[j][1]
		if (yi > v) != (yj > v) && u < (xj-xi)*(v-yi)/(yj-yi)+xi {
			in = !in
		}
		j = i
	}
	return in
}

// ss is the supersampling factor per axis for anti-aliasing.
const ss = 4

func drawShape(pl *planes, p Params, t, mid float64) {
	if p.Class == Empty {
		return
	}
	// Bounding box in pixels of the (possibly tilted) shape.
	pcy := mid + (p.CY-mid)*t
	x0, x1 := clampInt(int(p.CX-p.R)-1, pl.size), clampInt(int(p.CX+p.R)+2, pl.size)
	y0, y1 := clampInt(int(pcy-p.R*t)-1, pl.size), clampInt(int(pcy+p.R*t)+2, pl.size)
	cos, sin := math.Cos(-p.Theta), math.Sin(-p.Theta)
	inv := 1 / p.R
	poly := outlines[p.Class]
	rIn, rOut := inner[p.Class], outer(p.Class)
	// Half the diagonal of a pixel in shape units (scene pixels are 1/t
	// tall when tilted).
	half := 0.5 * math.Hypot(1, 1/t) * inv
	for y := y0; y < y1; y++ {
		cy := (sceneY(float64(y)+0.5, mid, t) - p.CY) * inv
		for x := x0; x < x1; x++ {
			cx := (float64(x) + 0.5 - p.CX) * inv
			d := math.Hypot(cx, cy)
			if d-half > rOut {
				continue
			}
			hits := ss * ss
			if d+half >= rIn {
				hits = coverage(poly, p, x, y, t, mid, cos, sin, inv)
			}
			if hits == 0 {
				continue
			}
			a := float32(hits) / (ss * ss)
			k := y*pl.size + x
			for c := range 3 {
				pl.ch[c][k] = pl.ch[c][k]*(1-a) + float32(p.Fg[c])*a
			}
		}
	}
}

// coverage counts the supersamples of pixel (x, y) inside the outline.
func coverage(poly [][2]float64, p Params, x, y int, t, mid, cos, sin, inv float64) int {
	hits := 0
	for j := range ss {
		sy := sceneY(float64(y)+(float64(j)+0.5)/ss, mid, t)
		dy := (sy - p.CY) * inv
		for i := range ss {
			dx := (float64(x) + (float64(i)+0.5)/ss - p.CX) * inv
			if inside(poly, dx*cos-dy*sin, dx*sin+dy*cos) {
				hits++
			}
		}
	}
	return hits
}

func clampInt(v, n int) int { return min(max(v, 0), n) }
