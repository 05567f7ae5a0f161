package evaldata

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fovea-edge/fovea/monitor/eval"
)

// MaxSliceValues is the most distinct values a ground-truth column may
// have to become a slice: a column with more (such as a synset id, one
// per class) says nothing about groups of images and is left out.
const MaxSliceValues = 50

// Entry is one row of a ground-truth table, resolved.
type Entry struct {
	File  string
	Truth Truth
	Tags  []eval.Tag
}

// Entries turns a table into entries. Columns index_N (N a class count)
// and index hold class indices, label the class name, file the image;
// every other column with at most MaxSliceValues distinct values becomes a
// slice (tag key = column name). notes say which columns were left out.
func (t *Table) Entries() (entries []Entry, notes []string, err error) {
	fileCol, labelCol, indexCol := t.Column("file"), t.Column("label"), t.Column("index")
	byClasses := map[int]int{} // class count → column
	var sliceCols []int
	for i, h := range t.Header {
		if n, ok := strings.CutPrefix(h, "index_"); ok {
			if c, err := strconv.Atoi(n); err == nil && c > 0 {
				byClasses[c] = i
				continue
			}
		}
		if i == fileCol || i == labelCol || i == indexCol {
			continue
		}
		distinct := map[string]bool{}
		for _, r := range t.Rows {
			distinct[r[i]] = true
		}
		if len(distinct) > MaxSliceValues {
			notes = append(notes, fmt.Sprintf("column %q not used as a slice: %d distinct values (more than %d)", h, len(distinct), MaxSliceValues))
			continue
		}
		sliceCols = append(sliceCols, i)
	}
	if labelCol < 0 && indexCol < 0 && len(byClasses) == 0 {
		return nil, nil, fmt.Errorf("evaldata.Entries: %w: no label, index or index_N column: nothing says what the images show", ErrTruthFile)
	}
	entries = make([]Entry, 0, len(t.Rows))
	for r, row := range t.Rows {
		e := Entry{File: row[fileCol]}
		if labelCol >= 0 {
			e.Truth.Label = row[labelCol]
		}
		idx := func(col int) (int, error) {
			v, err := strconv.Atoi(strings.TrimSpace(row[col]))
			if err != nil || v < 0 {
				return 0, fmt.Errorf("evaldata.Entries: %w: row %d (%s): column %s = %q; want a class index ≥ 0", ErrTruthFile, r+1, e.File, t.Header[col], row[col])
			}
			return v, nil
		}
		if indexCol >= 0 {
			if e.Truth.Index, err = idx(indexCol); err != nil {
				return nil, nil, err
			}
			e.Truth.HasIndex = true
		}
		if len(byClasses) > 0 {
			e.Truth.ByClasses = make(map[int]int, len(byClasses))
			for c, col := range byClasses {
				if e.Truth.ByClasses[c], err = idx(col); err != nil {
					return nil, nil, err
				}
			}
		}
		if e.Truth.Label == "" && !e.Truth.HasIndex && len(byClasses) > 0 {
			// No name given: name it by its index for the largest model.
			best := 0
			for c := range byClasses {
				best = max(best, c)
			}
			e.Truth.Label = strconv.Itoa(e.Truth.ByClasses[best])
		}
		for _, c := range sliceCols {
			e.Tags = append(e.Tags, eval.Tag{Key: t.Header[c], Value: row[c]})
		}
		entries = append(entries, e)
	}
	return entries, notes, nil
}
