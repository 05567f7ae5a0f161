package infer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

func TestLoadAbsentEngine(t *testing.T) {
	infer.RegisterAbsent("test_absent", "it needs the test tag")
	tests := []struct {
		engine, hint string
	}{
		{"test_absent", "; it needs the test tag"},
		{"no_such_engine", ""},
	}
	for _, tt := range tests {
		_, err := infer.Load([]byte("not a model"), infer.LoadOptions{Engine: tt.engine})
		if !errors.Is(err, infer.ErrUnavailable) {
			t.Fatalf("Load with engine %q = %v; want ErrUnavailable", tt.engine, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, `engine "`+tt.engine+`"`) || !strings.Contains(msg, "available: ") {
			t.Errorf("Load with engine %q = %q; want the engine and the available ones named", tt.engine, msg)
		}
		if tt.hint != "" && !strings.HasSuffix(msg, tt.hint) {
			t.Errorf("Load with engine %q = %q; want it to end with %q", tt.engine, msg, tt.hint)
		}
		if tt.hint == "" && strings.Contains(msg, "needs") {
			t.Errorf("Load with unknown engine %q = %q; want no hint", tt.engine, msg)
		}
	}
}
