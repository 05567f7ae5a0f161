package eval

// Disagreement is an image on which the two models' top-1 predictions
// differ.
type Disagreement struct {
	ID         string `json:"id"`
	Truth      string `json:"truth"`
	Model      Pred   `json:"model"`
	Baseline   Pred   `json:"baseline"`
	ModelOK    bool   `json:"model_ok"`
	BaselineOK bool   `json:"baseline_ok"`
}

// Comparison sets a model against a baseline on the images both
// classified.
type Comparison struct {
	// Paired counts the images both models classified.
	Paired int `json:"paired"`
	// BothRight, ModelOnly, BaselineOnly, BothWrong split the paired
	// images by who was right (top-1). ModelOnly and BaselineOnly are
	// McNemar's discordant counts b and c.
	BothRight    int `json:"both_right"`
	ModelOnly    int `json:"model_only"`
	BaselineOnly int `json:"baseline_only"`
	BothWrong    int `json:"both_wrong"`
	// DeltaTop1 is the model's top-1 accuracy minus the baseline's on the
	// paired images.
	DeltaTop1 float64 `json:"delta_top1"`
	McNemar   McNemar `json:"mcnemar"`
	// Disagreements lists, in data-set order, every paired image on which
	// the top-1 labels differ (a superset of the discordant ones: both
	// may be wrong differently).
	Disagreements []Disagreement `json:"disagreements"`
}

// Compare pairs the samples of a model and a baseline by ID.
func Compare(model, baseline []Sample) Comparison {
	byID := make(map[string]*Sample, len(baseline))
	for i := range baseline {
		if baseline[i].ok() {
			byID[baseline[i].ID] = &baseline[i]
		}
	}
	c := Comparison{Disagreements: []Disagreement{}}
	for i := range model {
		a := &model[i]
		b := byID[a.ID]
		if !a.ok() || b == nil {
			continue
		}
		c.Paired++
		ra, rb := a.correctAt(1), b.correctAt(1)
		switch {
		case ra && rb:
			c.BothRight++
		case ra:
			c.ModelOnly++
		case rb:
			c.BaselineOnly++
		default:
			c.BothWrong++
		}
		if a.Top[0].Label != b.Top[0].Label {
			c.Disagreements = append(c.Disagreements, Disagreement{
				ID: a.ID, Truth: a.TruthLabel, Model: a.Top[0], Baseline: b.Top[0],
				ModelOK: ra, BaselineOK: rb,
			})
		}
	}
	if c.Paired > 0 {
		c.DeltaTop1 = float64(c.ModelOnly-c.BaselineOnly) / float64(c.Paired)
	}
	c.McNemar = NewMcNemar(c.ModelOnly, c.BaselineOnly)
	return c
}
