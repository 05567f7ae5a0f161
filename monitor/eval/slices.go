package eval

import (
	"cmp"
	"slices"
)

// Slice is the top-1 accuracy on the images of one slice.
type Slice struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Top1 is the slice's top-1 accuracy with its Wilson interval.
	Top1 Proportion `json:"top1"`
}

// sliceTable computes the accuracy of every slice: each of a sample's Tags
// and its image-statistic buckets under edges. Slices are sorted by key
// (in first-seen order of keys), then by value.
func sliceTable(samples []Sample, edges []BucketEdges) []Slice {
	type acc struct{ k, n int }
	counts := map[Tag]*acc{}
	var keys []string
	add := func(t Tag, ok bool) {
		a := counts[t]
		if a == nil {
			a = &acc{}
			counts[t] = a
			if !slices.Contains(keys, t.Key) {
				keys = append(keys, t.Key)
			}
		}
		a.n++
		if ok {
			a.k++
		}
	}
	for i := range samples {
		s := &samples[i]
		if !s.ok() {
			continue
		}
		ok := s.correctAt(1)
		for _, t := range s.Tags {
			add(t, ok)
		}
		for _, t := range bucketTags(s.Stats, edges) {
			add(t, ok)
		}
	}
	out := make([]Slice, 0, len(counts))
	for t, a := range counts {
		out = append(out, Slice{Key: t.Key, Value: t.Value, Top1: NewProportion(a.k, a.n)})
	}
	slices.SortFunc(out, func(a, b Slice) int {
		return cmp.Or(cmp.Compare(slices.Index(keys, a.Key), slices.Index(keys, b.Key)), compareValues(a.Value, b.Value))
	})
	return out
}

// bucketOrder ranks the image-statistic bucket names low < mid < high.
var bucketOrder = map[string]int{BucketLow: 1, BucketMid: 2, BucketHigh: 3}

// compareValues orders slice values: buckets low, mid, high first, then
// the rest alphabetically.
func compareValues(a, b string) int {
	ra, rb := bucketOrder[a], bucketOrder[b]
	if ra != 0 || rb != 0 {
		if ra == 0 {
			ra = 4
		}
		if rb == 0 {
			rb = 4
		}
		if ra != rb {
			return cmp.Compare(ra, rb)
		}
	}
	return cmp.Compare(a, b)
}
