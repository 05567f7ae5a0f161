package imaging

import (
	"errors"
	"testing"
)

func TestByName(t *testing.T) {
	tests := []struct {
		method      string
		ok          bool
		unavailable bool
	}{
		{"", true, false},
		{"pillow", true, false},
		{"opencv", resizeOpenCV != nil, resizeOpenCV == nil},
		{"lanczos", false, false},
	}
	for _, tt := range tests {
		f, err := ByName(tt.method)
		if (err == nil) != tt.ok || (f != nil) != tt.ok || errors.Is(err, ErrUnavailable) != tt.unavailable {
			t.Errorf("ByName(%q) = %v, %v; want ok=%v unavailable=%v", tt.method, f != nil, err, tt.ok, tt.unavailable)
		}
	}
}
