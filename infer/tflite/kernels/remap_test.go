package kernels

import (
	"slices"
	"testing"
)

func TestRemapCopy(t *testing.T) {
	in := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} // shape [3,4]
	st := Strides([]int{3, 4})
	tests := []struct {
		name string
		r    Remap
		want []int
	}{
		{"identity", NewRemapStrided([]int{3, 4}, []int{0, 0}, []int{1, 1}, st), in},
		{"reverse rows, every other column", NewRemapStrided([]int{3, 2}, []int{2, 1}, []int{-1, 2}, st), []int{9, 11, 5, 7, 1, 3}},
		{"transpose", NewRemapStrided([]int{4, 3}, []int{0, 0}, []int{1, 1}, []int{1, 4}), []int{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}},
		{"broadcast row", Remap{Base: 4, Map: [][]int{{0, 0}, {0, 1, 2, 3}}}, []int{4, 5, 6, 7, 4, 5, 6, 7}},
		{"scalar", Remap{Base: 7}, []int{7}},
		{"empty", NewRemapStrided([]int{0, 4}, []int{0, 0}, []int{1, 1}, st), []int{}},
	}
	for _, tt := range tests {
		out := make([]int, tt.r.Size())
		RemapCopy(&tt.r, in, out)
		if !slices.Equal(out, tt.want) {
			t.Errorf("%s: RemapCopy = %v; want %v", tt.name, out, tt.want)
		}
	}
}
