package semver

import (
	"errors"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"v1.0.0", "1.0.0", 0},
		{"1.0.0", "1.0.1", -1},
		{"1.2.0", "1.10.0", -1},
		{"2.0.0", "1.99.99", 1},
		{"1.0.0-alpha", "1.0.0", -1},
		{"1.0.0+build.9", "1.0.0+build.1", 0},
		// The chain from semver.org §11.
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0-alpha.beta", "1.0.0-beta", -1},
		{"1.0.0-beta", "1.0.0-beta.2", -1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"1.0.0-beta.11", "1.0.0-rc.1", -1},
		{"1.0.0-rc.1", "1.0.0", -1},
	}
	for _, tt := range tests {
		got, err := Compare(tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
		back, err := Compare(tt.b, tt.a)
		if err != nil || back != -tt.want {
			t.Errorf("Compare(%q, %q) = %d, %v; want %d", tt.b, tt.a, back, err, -tt.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, s := range []string{"", "1", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b", "1.0.x", "1.0.0-ä", "vv1.0.0", "dev", "-1.0.0"} {
		if _, err := Parse(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %v; want ErrInvalid", s, err)
		}
	}
}

func TestString(t *testing.T) {
	for _, s := range []string{"1.2.3", "0.0.1-rc.1", "1.0.0-beta+exp.sha.5114f85"} {
		v, err := Parse(s)
		if err != nil || v.String() != s {
			t.Errorf("Parse(%q).String() = %q, %v", s, v.String(), err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.0.0", "v2.3.4-rc.1+b", "1.0.0-0.a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		w, err := Parse(v.String())
		if err != nil || v.Compare(w) != 0 {
			t.Fatalf("round trip of %q via %q: %v", s, v.String(), err)
		}
	})
}
