package outbox

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDump(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	o, err := Open(path, Options{CommitInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{`{"camera":"c1","top":[{"label":"cat","score":0.9}]}`, "\x00\xffnot json", `{ "spaced" : 1 }`, `[1,2]`} {
		mustAppend(t, o, v)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	tests := []struct {
		name string
		opt  DumpOptions
		want string
	}{
		{"text", DumpOptions{}, "1\t{\"camera\":\"c1\",\"top\":[{\"label\":\"cat\",\"score\":0.9}]}\n2\tbase64:AP9ub3QganNvbg==\n3\t{\"spaced\":1}\n4\t[1,2]\n"},
		{"json", DumpOptions{JSON: true}, `{"seq":1,"value":{"camera":"c1","top":[{"label":"cat","score":0.9}]}}
{"seq":2,"value_base64":"AP9ub3QganNvbg=="}
{"seq":3,"value":{"spaced":1}}
{"seq":4,"value":[1,2]}
`},
		{"from and limit", DumpOptions{From: 2, Limit: 2}, "2\tbase64:AP9ub3QganNvbg==\n3\t{\"spaced\":1}\n"},
		{"from past the end", DumpOptions{From: 9}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Dump(&b, ro, tt.opt); err != nil {
				t.Fatalf("Dump(%+v) = %v", tt.opt, err)
			}
			if b.String() != tt.want {
				t.Errorf("Dump(%+v) =\n%s\nwant\n%s", tt.opt, b.String(), tt.want)
			}
			if tt.opt.JSON {
				for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
					if !json.Valid([]byte(l)) {
						t.Errorf("Dump --json line %q is not JSON", l)
					}
				}
			}
		})
	}
	if err := Dump(new(strings.Builder), ro, DumpOptions{Limit: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Dump with limit -1 = %v; want ErrInvalidArgument", err)
	}

	var b strings.Builder
	if err := WriteStats(&b, path, ro.Stats(), false); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"records      4\n", "oldest seq   1\n", "newest seq   4\n", "evicted      0\n", path} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("WriteStats text = %q; want it to contain %q", b.String(), w)
		}
	}
	b.Reset()
	if err := WriteStats(&b, path, ro.Stats(), true); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Path  string
		Count uint64
	}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil || got.Count != 4 || got.Path != path {
		t.Errorf("WriteStats JSON = %s (%v); want count 4 and the path", b.String(), err)
	}
}
