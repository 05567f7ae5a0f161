package eval

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"image/color"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// seriesColors are the model's and the baseline's colours.
var seriesColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

// series is one model's report with the name the plots give it.
type series struct {
	Name string
	R    *ModelReport
}

// svg renders p as an inline <svg> element (without the XML prolog
// vgsvg writes for stand-alone files).
func svg(p *plot.Plot, w, h vg.Length) (template.HTML, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("eval: render plot: %w", err)
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	// The SVG comes from gonum/plot, which escapes the text it draws.
	return template.HTML(s), nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	// Sans-serif text: the page's CSS maps it to Liberation Sans or a
	// metric-compatible font (Arimo, Arial), so labels measured by
	// gonum/plot fit where the browser draws them.
	for _, ts := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Variant = "Sans"
	}
	return p
}

// reliabilityPlot draws accuracy against mean confidence per bin, with the
// diagonal of perfect calibration.
func reliabilityPlot(ss []series) (*plot.Plot, error) {
	p := newPlot("Reliability diagram", "confidence (top-1 score)", "accuracy")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	diag.Color = color.Gray{Y: 0x80}
	p.Add(diag)
	for i, s := range ss {
		var xys plotter.XYs
		for _, b := range s.R.Calibration.Bins {
			if b.Count > 0 {
				xys = append(xys, plotter.XY{X: b.Confidence, Y: b.Accuracy})
			}
		}
		if len(xys) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, sc.Color = seriesColors[i], seriesColors[i]
		sc.Shape = draw.CircleGlyph{}
		p.Add(l, sc)
	}
	return p, nil
}

// confidencePlot is the histogram of top-1 confidence, one bar group per
// calibration bin.
func confidencePlot(ss []series) (*plot.Plot, error) {
	p := newPlot("Top-1 confidence", "confidence bin (upper edge)", "images")
	bins := ss[0].R.Calibration.Bins
	names := make([]string, len(bins))
	for i, b := range bins {
		names[i] = fmt.Sprintf("%.2f", b.Hi)
	}
	w := vg.Points(18 / float64(len(ss)))
	for i, s := range ss {
		vals := make(plotter.Values, len(bins))
		for j, b := range s.R.Calibration.Bins {
			vals[j] = float64(b.Count)
		}
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		bc.Color = seriesColors[i]
		bc.LineStyle.Width = 0
		bc.Offset = w * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(bc)
	}
	p.NominalX(names...)
	return p, nil
}

// f1Plot draws the n best and n worst classes by F1 (classes with
// support), worst at the bottom.
func f1Plot(s series, n int) (*plot.Plot, error) {
	var cls []ClassStats
	for _, c := range s.R.Classes {
		if c.Support > 0 {
			cls = append(cls, c)
		}
	}
	if len(cls) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(cls, func(a, b ClassStats) int { return cmp.Compare(a.F1, b.F1) })
	if len(cls) > 2*n {
		cls = append(cls[:n:n], cls[len(cls)-n:]...)
	}
	title := "Per-class F1 — " + s.Name
	if len(s.R.Classes) > len(cls) {
		title = fmt.Sprintf("Per-class F1, worst and best %d — %s", n, s.Name)
	}
	p := newPlot(title, "F1", "")
	p.X.Min, p.X.Max = 0, 1
	vals := make(plotter.Values, len(cls))
	names := make([]string, len(cls))
	for i, c := range cls {
		vals[i] = c.F1
		names[i] = shorten(c.Label, 28)
	}
	bc, err := plotter.NewBarChart(vals, vg.Points(9))
	if err != nil {
		return nil, err
	}
	bc.Horizontal = true
	bc.Color = seriesColors[0]
	bc.LineStyle.Width = 0
	p.Add(bc)
	p.NominalY(names...)
	return p, nil
}

// latencyPlot is the latency histogram of one model.
func latencyPlot(s series, color color.Color) (*plot.Plot, error) {
	l := s.R.Latency
	if l.N == 0 {
		return nil, nil
	}
	p := newPlot("Latency — "+s.Name, "milliseconds per image (preprocess + invoke)", "images")
	h := &plotter.Histogram{FillColor: color, LineStyle: plotter.DefaultLineStyle}
	h.LineStyle.Width = 0
	for _, b := range l.Histogram {
		h.Bins = append(h.Bins, plotter.HistogramBin{Min: b.Lo, Max: b.Hi, Weight: float64(b.Count)})
	}
	if len(l.Histogram) > 0 {
		h.Width = l.Histogram[0].Hi - l.Histogram[0].Lo
	}
	p.Add(h)
	return p, nil
}

// slicePlot draws top-1 accuracy per slice, one bar per model.
func slicePlot(ss []series) (*plot.Plot, int, error) {
	keys := make([]string, 0, len(ss[0].R.Slices))
	for _, sl := range ss[0].R.Slices {
		keys = append(keys, sl.Key+"="+sl.Value)
	}
	if len(keys) == 0 {
		return nil, 0, nil
	}
	p := newPlot("Top-1 accuracy by slice", "top-1 accuracy", "")
	p.X.Min, p.X.Max = 0, 1
	w := vg.Points(12 / float64(len(ss)))
	// Horizontal bars run bottom-up: reverse so the first slice is on top.
	names := slices.Clone(keys)
	slices.Reverse(names)
	for i, s := range ss {
		acc := map[string]float64{}
		for _, sl := range s.R.Slices {
			acc[sl.Key+"="+sl.Value] = sl.Top1.Value
		}
		vals := make(plotter.Values, len(names))
		for j, k := range names {
			vals[j] = acc[k]
		}
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, 0, err
		}
		bc.Horizontal = true
		bc.Color = seriesColors[i]
		bc.LineStyle.Width = 0
		bc.Offset = -w * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(bc)
	}
	for i := range names {
		names[i] = shorten(names[i], 40)
	}
	p.NominalY(names...)
	return p, len(names), nil
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
