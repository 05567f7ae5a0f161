package eval

import (
	"cmp"
	"slices"
)

// ClassStats are one class's detection counts over the data set (top-1).
type ClassStats struct {
	// Index is the model's output index, or −1 for a true class the model
	// does not know (identified by Label).
	Index int    `json:"index"`
	Label string `json:"label"`
	// Support is how many images truly show the class; Predicted how many
	// the model labelled with it; TP how many of those were right.
	Support   int `json:"support"`
	Predicted int `json:"predicted"`
	TP        int `json:"tp"`
	// Precision = TP/Predicted, Recall = TP/Support, F1 their harmonic
	// mean; each is 0 when its denominator is (as scikit-learn's
	// zero_division=0).
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Confusion is one off-diagonal cell of the confusion matrix: Count images
// of class Truth were labelled Pred.
type Confusion struct {
	Truth      int    `json:"truth"`
	TruthLabel string `json:"truth_label"`
	Pred       int    `json:"pred"`
	PredLabel  string `json:"pred_label"`
	Count      int    `json:"count"`
}

// classKey identifies a class: by index when the model knows it, by label
// when it does not (index −1).
type classKey struct {
	index int
	label string
}

func truthKey(s *Sample) classKey {
	if s.Truth >= 0 {
		return classKey{s.Truth, ""}
	}
	return classKey{-1, s.TruthLabel}
}

// classTable computes per-class statistics (sorted by index, unknown
// classes last by label) and the non-zero off-diagonal cells of the
// confusion matrix (most frequent first, then by truth and prediction).
func classTable(samples []Sample) ([]ClassStats, []Confusion) {
	stats := map[classKey]*ClassStats{}
	get := func(k classKey, label string) *ClassStats {
		cs := stats[k]
		if cs == nil {
			cs = &ClassStats{Index: k.index, Label: label}
			stats[k] = cs
		}
		if cs.Label == "" {
			cs.Label = label
		}
		return cs
	}
	cells := map[[2]classKey]*Confusion{}
	for i := range samples {
		s := &samples[i]
		if !s.ok() {
			continue
		}
		tk := truthKey(s)
		p := s.Top[0]
		pk := classKey{p.Index, ""}
		get(tk, s.TruthLabel).Support++
		pc := get(pk, p.Label)
		pc.Predicted++
		if tk == pk {
			pc.TP++
			continue
		}
		c := cells[[2]classKey{tk, pk}]
		if c == nil {
			c = &Confusion{Truth: tk.index, TruthLabel: s.TruthLabel, Pred: p.Index, PredLabel: p.Label}
			cells[[2]classKey{tk, pk}] = c
		}
		c.Count++
	}
	out := make([]ClassStats, 0, len(stats))
	for _, cs := range stats {
		cs.Precision = ratio(cs.TP, cs.Predicted)
		cs.Recall = ratio(cs.TP, cs.Support)
		if cs.Precision+cs.Recall > 0 {
			cs.F1 = 2 * cs.Precision * cs.Recall / (cs.Precision + cs.Recall)
		}
		out = append(out, *cs)
	}
	slices.SortFunc(out, func(a, b ClassStats) int {
		if (a.Index < 0) != (b.Index < 0) {
			if a.Index < 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Label, b.Label))
	})
	conf := make([]Confusion, 0, len(cells))
	for _, c := range cells {
		conf = append(conf, *c)
	}
	slices.SortFunc(conf, func(a, b Confusion) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Truth, b.Truth),
			cmp.Compare(a.TruthLabel, b.TruthLabel), cmp.Compare(a.Pred, b.Pred))
	})
	return out, conf
}

// Averages are the macro (unweighted mean over classes) and weighted (by
// support) means of per-class precision, recall and F1, over the classes
// that occur in the truth (support > 0).
type Averages struct {
	MacroPrecision    float64 `json:"macro_precision"`
	MacroRecall       float64 `json:"macro_recall"`
	MacroF1           float64 `json:"macro_f1"`
	WeightedPrecision float64 `json:"weighted_precision"`
	WeightedRecall    float64 `json:"weighted_recall"`
	WeightedF1        float64 `json:"weighted_f1"`
}

func averages(classes []ClassStats) Averages {
	var a Averages
	var n, support int
	for _, c := range classes {
		if c.Support == 0 {
			continue
		}
		n++
		support += c.Support
		w := float64(c.Support)
		a.MacroPrecision += c.Precision
		a.MacroRecall += c.Recall
		a.MacroF1 += c.F1
		a.WeightedPrecision += w * c.Precision
		a.WeightedRecall += w * c.Recall
		a.WeightedF1 += w * c.F1
	}
	if n == 0 {
		return Averages{}
	}
	fn, fs := float64(n), float64(support)
	a.MacroPrecision /= fn
	a.MacroRecall /= fn
	a.MacroF1 /= fn
	a.WeightedPrecision /= fs
	a.WeightedRecall /= fs
	a.WeightedF1 /= fs
	return a
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
