package tflite

import (
	"slices"
	"testing"
)

func TestBroadcastMergesAxes(t *testing.T) {
	tests := []struct {
		a, b, out []int
		ok        bool
	}{
		{[]int{2, 3, 4, 5, 6}, []int{2, 3, 4, 5, 6}, []int{2, 3, 4, 5, 6}, true},
		{[]int{2, 3, 4, 5, 6}, []int{6}, []int{2, 3, 4, 5, 6}, true},
		{[]int{1, 2, 1, 3, 1, 4}, []int{5, 2, 6, 3, 7, 4}, []int{5, 2, 6, 3, 7, 4}, false}, // 6 alternating groups
		{[]int{2, 1, 1, 4, 5}, []int{1, 3, 3, 4, 5}, []int{2, 3, 3, 4, 5}, true},
		{[]int{2, 3, 4, 5, 6}, []int{2, 7, 4, 5, 6}, nil, false},
		{[]int{1, 1, 1, 1, 1, 8}, []int{2, 2, 2, 2, 2, 1}, []int{2, 2, 2, 2, 2, 8}, true},
	}
	for _, tt := range tests {
		_, out, ok := broadcast(tt.a, tt.b)
		if ok != tt.ok || (ok && !slices.Equal(out, tt.out)) {
			t.Errorf("broadcast(%v, %v) = %v, %v; want %v, %v", tt.a, tt.b, out, ok, tt.out, tt.ok)
		}
	}
}
