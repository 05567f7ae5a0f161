package eval

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText writes a short aligned summary for a terminal: one column per
// model, then the paired test when there is a baseline.
func (r *Report) WriteText(w io.Writer) error {
	ss := r.series()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(m *ModelReport) string) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t", f(s.R))
		}
		fmt.Fprintln(tw)
	}
	row("", func(m *ModelReport) string { return shorten(m.Model.Name, 32) })
	row("images", func(m *ModelReport) string {
		if len(m.Failed) > 0 {
			return fmt.Sprintf("%d (%d failed)", m.Images, len(m.Failed))
		}
		return fmt.Sprint(m.Images)
	})
	ci := func(p Proportion) string {
		return fmt.Sprintf("%5.1f%% [%4.1f, %4.1f]", 100*p.Value, 100*p.CI95Low, 100*p.CI95High)
	}
	row("top-1 [95% CI]", func(m *ModelReport) string { return ci(m.Top1) })
	row(fmt.Sprintf("top-%d [95%% CI]", r.Model.TopK), func(m *ModelReport) string { return ci(m.Top5) })
	row("macro F1", func(m *ModelReport) string { return fmt.Sprintf("%.3f", m.Averages.MacroF1) })
	row("ECE", func(m *ModelReport) string {
		if m.Calibration.Skipped != "" {
			return "n/a"
		}
		return fmt.Sprintf("%.3f", m.Calibration.ECE)
	})
	row("latency p50/p90/p99 ms", func(m *ModelReport) string {
		return fmt.Sprintf("%.1f / %.1f / %.1f", m.Latency.P50MS, m.Latency.P90MS, m.Latency.P99MS)
	})
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("eval.WriteText: %w", err)
	}
	if c := r.Comparison; c != nil {
		verdict := "no significant difference at 5%"
		if c.McNemar.PValue < 0.05 {
			verdict = "significant at 5%"
		}
		_, err := fmt.Fprintf(w, "McNemar (%s): only model right %d, only baseline right %d, statistic %.3g, p = %.3g (%s); %d images disagree\n",
			c.McNemar.Method, c.ModelOnly, c.BaselineOnly, c.McNemar.Statistic, c.McNemar.PValue, verdict, len(c.Disagreements))
		if err != nil {
			return fmt.Errorf("eval.WriteText: %w", err)
		}
	}
	return nil
}
