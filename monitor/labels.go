package monitor

// recentPredictions is how many recent results per camera are remembered
// so that feedback naming a result by sequence number can be scored.
const recentPredictions = 4096

// trendBlock is the number of labels per point of the accuracy trend, and
// trendPoints how many points are kept.
const (
	trendBlock  = 50
	trendPoints = 48
)

// labelPart follows accuracy from labels (frame truth or operator
// feedback) over the last LabelWindow labelled results.
type labelPart struct {
	// ring of labelled results: seq, truth index and predicted index
	// (index len(labels) = a label the model does not know).
	seq          []uint64
	truth, pred  []uint16
	right        []bool
	pos, n, hits int

	// recent predictions, for feedback
	recSeq  []uint64
	recPred []uint16
	recPos  int

	blockN, blockHits int
	trend             []float64 // oldest first, ≤ trendPoints
}

func newLabelPart(c *Config) *labelPart {
	w := c.LabelWindow
	return &labelPart{seq: make([]uint64, w), truth: make([]uint16, w), pred: make([]uint16, w), right: make([]bool, w),
		recSeq: make([]uint64, recentPredictions), recPred: make([]uint16, recentPredictions),
		trend: make([]float64, 0, trendPoints)}
}

func (l *labelPart) remember(seq uint64, pred int) {
	l.recSeq[l.recPos], l.recPred[l.recPos] = seq, uint16(pred)
	l.recPos = (l.recPos + 1) % len(l.recSeq)
}

// predicted returns the remembered prediction of seq.
func (l *labelPart) predicted(seq uint64) (int, bool) {
	for i, s := range l.recSeq {
		if s == seq && seq != 0 {
			return int(l.recPred[i]), true
		}
	}
	return 0, false
}

// add records one labelled result. A seq already in the window (an
// operator correcting a label) replaces its earlier label.
func (l *labelPart) add(seq uint64, truth, pred int) {
	right := truth == pred
	for i := range l.n {
		if l.seq[i] == seq && seq != 0 {
			if l.right[i] {
				l.hits--
			}
			l.truth[i], l.pred[i], l.right[i] = uint16(truth), uint16(pred), right
			if right {
				l.hits++
			}
			return
		}
	}
	if l.n == len(l.seq) {
		if l.right[l.pos] {
			l.hits--
		}
	} else {
		l.n++
	}
	l.seq[l.pos], l.truth[l.pos], l.pred[l.pos], l.right[l.pos] = seq, uint16(truth), uint16(pred), right
	if right {
		l.hits++
	}
	l.pos = (l.pos + 1) % len(l.seq)
	l.blockN++
	if right {
		l.blockHits++
	}
	if l.blockN == trendBlock {
		if len(l.trend) == trendPoints {
			copy(l.trend, l.trend[1:])
			l.trend = l.trend[:trendPoints-1]
		}
		l.trend = append(l.trend, float64(l.blockHits)/trendBlock)
		l.blockN, l.blockHits = 0, 0
	}
}

func (l *labelPart) accuracy() (float64, int) {
	if l.n == 0 {
		return 0, 0
	}
	return float64(l.hits) / float64(l.n), l.n
}

// confusion counts the labelled window by [truth][predicted] over k
// classes plus one row and column for labels the model does not know.
func (l *labelPart) confusion(k int) [][]int {
	m := make([][]int, k+1)
	for i := range m {
		m[i] = make([]int, k+1)
	}
	for i := range l.n {
		t, p := min(int(l.truth[i]), k), min(int(l.pred[i]), k)
		m[t][p]++
	}
	return m
}
