package record

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.json from the sample record")

func sample() Record {
	return Record{
		Device: "pi-kitchen",
		Camera: "front",
		Seq:    42,
		Frame:  "n01534433_junco.JPEG",
		Wall:   time.Date(2026, 11, 26, 15, 4, 5, 123456000, time.UTC),
		MonoUS: 1234567,
		Truth:  "junco",
		Model:  Model{Name: "mobilenet_v2_1.0_224_quant", Version: "1", SHA256: strings.Repeat("ab", 32)},
		Top: []Class{
			{Label: "junco", Index: 14, Score: 0.91796875},
			{Label: "brambling", Index: 11, Score: 0.03125},
		},
		LatencyUS: Latency{Capture: 2100, Queue: 15, Preprocess: 800, Invoke: 45000},
		Config:    "0123456789abcdef",
	}
}

// TestGolden pins the wire format: a change to field names or encoding
// shows up as a diff against testdata/v1.json (regenerate with -update
// only when the schema version changes).
func TestGolden(t *testing.T) {
	r := sample()
	got, err := Encode(&r)
	if err != nil {
		t.Fatalf("Encode = %v", err)
	}
	if *update {
		if err := os.WriteFile("testdata/v1.json", append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/v1.json")
	if err != nil {
		t.Fatalf("reading golden (run go test -update once): %v", err)
	}
	if !bytes.Equal(got, bytes.TrimSpace(want)) {
		t.Errorf("Encode(sample) =\n%s\nwant\n%s", got, want)
	}
	back, err := Decode(want)
	if err != nil {
		t.Fatalf("Decode(golden) = %v", err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("Decode(golden) = %+v; want %+v", back, r)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := func() []byte {
		r := sample()
		b, err := Encode(&r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		is   error
		want string
	}{
		{"not json", []byte("hello"), ErrMalformed, "invalid character"},
		{"no version", []byte(`{"device":"d"}`), ErrMalformed, `no "v" field`},
		{"future version", []byte(`{"v":2,"device":"d"}`), ErrVersion, "version 2"},
		{"wrong type", []byte(`{"v":1,"device":"d","camera":"c","seq":"one"}`), ErrMalformed, "seq"},
		{"empty device", bytes.Replace(good(), []byte(`"device":"pi-kitchen"`), []byte(`"device":""`), 1), ErrMalformed, "device is empty"},
		{"negative index", bytes.Replace(good(), []byte(`"index":14`), []byte(`"index":-3`), 1), ErrMalformed, "top[0].index -3"},
		{"negative latency", bytes.Replace(good(), []byte(`"invoke":45000`), []byte(`"invoke":-1`), 1), ErrMalformed, "negative latency"},
		{"trailing data", append(good(), []byte(` {"v":1}`)...), ErrMalformed, "after top-level value"},
		{"too large", append(good(), make([]byte, MaxSize)...), ErrMalformed, "byte limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v; want %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Record)
	}{
		{"nan score", func(r *Record) { r.Top[0].Score = float32(math.NaN()) }},
		{"no camera", func(r *Record) { r.Camera = "" }},
		{"too many classes", func(r *Record) { r.Top = make([]Class, MaxTop+1) }},
		{"huge label", func(r *Record) { r.Top[0].Label = strings.Repeat("x", MaxSize) }},
	}
	for _, tt := range tests {
		r := sample()
		tt.modify(&r)
		if b, err := Encode(&r); err == nil {
			t.Errorf("%s: Encode = %d bytes, nil; want an error", tt.name, len(b))
		}
	}
}

func FuzzDecode(f *testing.F) {
	r := sample()
	b, err := Encode(&r)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"v":1,"device":"d","camera":"c","model":{"name":"m"},"top":[]}`))
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data)
		if err != nil {
			return
		}
		// Whatever Decode accepts, Encode writes and Decode reads back
		// unchanged.
		enc, err := Encode(&r)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)) = %v", data, err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(r)) = %v", err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip: %+v; want %+v", back, r)
		}
	})
}
