package evaldata

import (
	"fmt"
	"strconv"
	"strings"
)

// Truth is what a data set says an image shows. Which model class that is
// depends on the model (Resolve).
type Truth struct {
	// Label names the class (a folder name, the TSV's label column, the
	// synthetic frame's shape).
	Label string
	// ByClasses maps a model class count to the class index for models of
	// that size: the TSV columns index_1000 and index_1001 give
	// ByClasses[1000] and ByClasses[1001].
	ByClasses map[int]int
	// Index, when HasIndex, is the class index for any model (the TSV's
	// plain "index" column).
	Index    int
	HasIndex bool
}

// Resolve finds the true class among a model's labels (one per output
// class): the index_N column for N = len(labels) when there is one, else
// the plain index column, else the label matched by name (exactly, then
// ignoring case and surrounding space). It returns the index (−1 when the
// model does not know the class), the class name and how it was found.
// An index outside the model's classes is an error: the truth file does not
// belong to this model.
func (t Truth) Resolve(labels []string) (int, string, string, error) {
	n := len(labels)
	if i, ok := t.ByClasses[n]; ok {
		return t.checked(i, labels, "column index_"+strconv.Itoa(n))
	}
	if t.HasIndex {
		return t.checked(t.Index, labels, "column index")
	}
	for i, l := range labels {
		if l == t.Label {
			return i, l, "label name", nil
		}
	}
	want := strings.TrimSpace(t.Label)
	for i, l := range labels {
		if strings.EqualFold(strings.TrimSpace(l), want) {
			return i, l, "label name", nil
		}
	}
	return -1, t.Label, "label name", nil
}

func (t Truth) checked(i int, labels []string, rule string) (int, string, string, error) {
	if i < 0 || i >= len(labels) {
		return 0, "", "", fmt.Errorf("true class %d (%s) is not one of the model's %d classes: the truth file's index does not fit this model", i, rule, len(labels))
	}
	return i, labels[i], rule, nil
}
