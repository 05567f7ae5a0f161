package infer

import (
	"reflect"
	"testing"
)

func TestTopK(t *testing.T) {
	scores := []float32{0.1, 0.5, 0.5, 0.2, 0.5}
	labels := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		name string
		k    int
		want []Class
	}{
		{"top1 tie goes to lower index", 1, []Class{{"b", 1, 0.5}}},
		{"top3 ties in index order", 3, []Class{{"b", 1, 0.5}, {"c", 2, 0.5}, {"e", 4, 0.5}}},
		{"all", 0, []Class{{"b", 1, 0.5}, {"c", 2, 0.5}, {"e", 4, 0.5}, {"d", 3, 0.2}, {"a", 0, 0.1}}},
		{"k larger than n", 9, []Class{{"b", 1, 0.5}, {"c", 2, 0.5}, {"e", 4, 0.5}, {"d", 3, 0.2}, {"a", 0, 0.1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopK(scores, tt.k, labels); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TopK(k=%d) = %v; want %v", tt.k, got, tt.want)
			}
		})
	}
	if got := TopK([]float32{1, 3}, 1, nil); got[0].Label != "1" {
		t.Errorf("TopK without labels = %v; want label \"1\"", got)
	}
}

func TestParseLabels(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"cat\ndog\n", []string{"cat", "dog"}},
		{"cat\r\ndog\r\n\r\n\n", []string{"cat", "dog"}},
		{"background\n\nx", []string{"background", "", "x"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := ParseLabels([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLabels(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
