package eval

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

//go:embed report.html.tmpl
var reportHTML string

// HTMLOptions tune the HTML report.
type HTMLOptions struct {
	// Title heads the page ("" = "Fovea evaluation").
	Title string
	// TopClasses is how many best and worst classes the F1 chart shows
	// (0 = 15).
	TopClasses int
	// TopConfusions is how many confusion-matrix cells are listed (0 = 25).
	TopConfusions int
	// MaxDisagreements caps the disagreement list (0 = 200; the JSON has
	// all of them).
	MaxDisagreements int
}

// figure is one embedded plot.
type figure struct {
	Caption string
	SVG     template.HTML
}

// htmlPage is what the template renders.
type htmlPage struct {
	Title         string
	R             *Report
	Models        []series
	Figures       []figure
	Confusions    [][]Confusion
	Disagreements []Disagreement
	MoreDisagree  int
	Slices        []sliceRow
}

// sliceRow is one slice with each model's accuracy on it (nil where a
// model has no classified image in the slice).
type sliceRow struct {
	Key, Value string
	Cells      []*Slice
}

// sliceRows aligns the models' slices by key and value, in the model's
// order, then any only the baseline has.
func sliceRows(ss []series) []sliceRow {
	var rows []sliceRow
	at := map[[2]string]int{}
	for i, s := range ss {
		for j := range s.R.Slices {
			sl := &s.R.Slices[j]
			k := [2]string{sl.Key, sl.Value}
			r, ok := at[k]
			if !ok {
				r = len(rows)
				at[k] = r
				rows = append(rows, sliceRow{Key: sl.Key, Value: sl.Value, Cells: make([]*Slice, len(ss))})
			}
			rows[r].Cells[i] = sl
		}
	}
	return rows
}

var pageTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":  func(v float64) string { return fmt.Sprintf("%.1f %%", 100*v) },
	"f3":   func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"f1":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"pval": func(v float64) string { return fmt.Sprintf("%.3g", v) },
	"swatch": func(i int) template.CSS {
		r, g, b, _ := seriesColors[i%len(seriesColors)].RGBA()
		return template.CSS(fmt.Sprintf("background:#%02x%02x%02x", r>>8, g>>8, b>>8))
	},
}).Parse(reportHTML))

// WriteHTML writes the report as one self-contained HTML page: tables
// and plots (inline SVG drawn with gonum/plot), no scripts, no external
// files.
func (r *Report) WriteHTML(w io.Writer, opts HTMLOptions) error {
	opts = opts.withDefaults()
	ss := r.series()
	page := htmlPage{Title: opts.Title, R: r, Models: ss, Slices: sliceRows(ss)}
	type plotFn func() (*plot.Plot, error)
	add := func(caption string, h vg.Length, fn plotFn) error {
		p, err := fn()
		if err != nil {
			return fmt.Errorf("eval.WriteHTML: %s: %w", caption, err)
		}
		if p == nil {
			return nil
		}
		s, err := svg(p, 18*vg.Centimeter, h)
		if err != nil {
			return fmt.Errorf("eval.WriteHTML: %s: %w", caption, err)
		}
		page.Figures = append(page.Figures, figure{Caption: caption, SVG: s})
		return nil
	}
	var errs []error
	if r.Model.Calibration.Skipped == "" {
		errs = append(errs,
			add("Reliability diagram: accuracy of the images in each confidence bin against their mean confidence; the dashed diagonal is perfect calibration.",
				12*vg.Centimeter, func() (*plot.Plot, error) { return reliabilityPlot(ss) }),
			add("Histogram of top-1 confidence (15 equal-width bins).",
				9*vg.Centimeter, func() (*plot.Plot, error) { return confidencePlot(ss) }))
	}
	for _, s := range ss {
		n := min(len(s.R.Classes), 2*opts.TopClasses)
		errs = append(errs, add("Per-class F1 of "+s.Name+", lowest at the bottom.",
			vg.Length(3+0.42*float64(n))*vg.Centimeter, func() (*plot.Plot, error) { return f1Plot(s, opts.TopClasses) }))
	}
	for i, s := range ss {
		errs = append(errs, add("Latency of "+s.Name+" per image (preprocess + invoke; decoding not included).",
			9*vg.Centimeter, func() (*plot.Plot, error) { return latencyPlot(s, seriesColors[i]) }))
	}
	n := len(r.Model.Slices)
	errs = append(errs, add("Top-1 accuracy per slice (confidence intervals in the table below).",
		vg.Length(3+0.5*float64(n)*float64(len(ss)))*vg.Centimeter, func() (*plot.Plot, error) {
			p, _, err := slicePlot(ss)
			return p, err
		}))
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, s := range ss {
		c := s.R.Confusions
		page.Confusions = append(page.Confusions, c[:min(len(c), opts.TopConfusions)])
	}
	if r.Comparison != nil {
		d := r.Comparison.Disagreements
		page.Disagreements = d[:min(len(d), opts.MaxDisagreements)]
		page.MoreDisagree = len(d) - len(page.Disagreements)
	}
	if err := pageTmpl.Execute(w, page); err != nil {
		return fmt.Errorf("eval.WriteHTML: %w", err)
	}
	return nil
}

func (o HTMLOptions) withDefaults() HTMLOptions {
	if o.Title == "" {
		o.Title = "Fovea evaluation"
	}
	if o.TopClasses <= 0 {
		o.TopClasses = 15
	}
	if o.TopConfusions <= 0 {
		o.TopConfusions = 25
	}
	if o.MaxDisagreements <= 0 {
		o.MaxDisagreements = 200
	}
	return o
}

// series lists the model, then the baseline, named for plots and tables.
func (r *Report) series() []series {
	ss := []series{{Name: r.Model.Model.Name, R: &r.Model}}
	if r.Baseline != nil {
		name := r.Baseline.Model.Name
		if name == ss[0].Name {
			name += " (baseline)"
		}
		ss = append(ss, series{Name: name, R: r.Baseline})
	}
	return ss
}
