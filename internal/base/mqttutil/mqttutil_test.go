package mqttutil

import "testing"

func TestMatchTopic(t *testing.T) {
	tests := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+/c", "a/x/c", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"#", "anything/at/all", true},
		{"a/b/#", "a/c/d", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b", false},
		{"+", "a", true},
		{"+", "a/b", false},
		{"fovea/groups/+/deploy", "fovea/groups/line-1/deploy", true},
	}
	for _, tt := range tests {
		if got := MatchTopic(tt.filter, tt.topic); got != tt.want {
			t.Errorf("MatchTopic(%q, %q) = %v; want %v", tt.filter, tt.topic, got, tt.want)
		}
	}
}

func TestValidFilter(t *testing.T) {
	for _, f := range []string{"a", "a/+/c", "a/#", "#", "+/+"} {
		if err := ValidFilter(f); err != nil {
			t.Errorf("ValidFilter(%q) = %v; want nil", f, err)
		}
	}
	for _, f := range []string{"", "a/#/c", "a/b#", "a+/b"} {
		if err := ValidFilter(f); err == nil {
			t.Errorf("ValidFilter(%q) = nil; want an error", f)
		}
	}
}
