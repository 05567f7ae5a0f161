package feedback

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     Request
		err      string
	}{
		{"minimal", `{"camera":"door","seq":12,"label":"star"}`, Request{Device: "pi", Camera: "door", Seq: 12, Label: "star"}, ""},
		{"full", `{"device":"pi","camera":"door","seq":1,"label":"circle","operator":"ana"}`,
			Request{Device: "pi", Camera: "door", Seq: 1, Label: "circle", Operator: "ana"}, ""},
		{"other device", `{"device":"pj","camera":"door","seq":1,"label":"x"}`, Request{}, "not this device"},
		{"no seq", `{"camera":"door","label":"x"}`, Request{}, "seq"},
		{"no label", `{"camera":"door","seq":3}`, Request{}, "label"},
		{"unknown field", `{"camera":"door","seq":3,"label":"x","truth":"y"}`, Request{}, "unknown field"},
		{"trailing", `{"camera":"door","seq":3,"label":"x"}{}`, Request{}, "after"},
		{"long label", `{"camera":"door","seq":3,"label":"` + strings.Repeat("x", 300) + `"}`, Request{}, "label"},
		{"negative seq", `{"camera":"door","seq":-3,"label":"x"}`, Request{}, "cannot unmarshal"},
		{"huge", `{"camera":"` + strings.Repeat("a", 5000) + `","seq":1,"label":"x"}`, Request{}, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), "pi")
			if tt.err != "" {
				if !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Parse = %v; want ErrRequest mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Parse = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"camera":"door","seq":12,"label":"star"}`))
	f.Add([]byte(`{"device":"pi","camera":"door","seq":1,"label":"circle","operator":"ana"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data, "pi")
		if err != nil {
			return
		}
		if r.Device != "pi" || r.Seq == 0 || !field(r.Camera) || !field(r.Label) {
			t.Fatalf("Parse accepted %q as %+v", data, r)
		}
	})
}
