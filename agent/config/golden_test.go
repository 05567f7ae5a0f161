package config

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// goIdent matches a Go package-qualified name such as config.Load or
// mqttsync.Config, which user-facing errors must not show.
var goIdent = regexp.MustCompile(`\b(config|mqttsync|yaml|camera|infer|agent)\.[A-Z]`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with the file want, or rewrites it with -update.
func golden(t *testing.T, want string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(want, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run go test ./agent/config -update to create it)", err)
	}
	if string(b) != string(got) {
		t.Errorf("output differs from %s (go test ./agent/config -update rewrites it):\n--- got\n%s\n--- want\n%s", want, got, b)
	}
}

// TestErrorGoldens parses each testdata/errors/*.yaml and compares the
// whole error text with its .golden file: every problem, with its line
// and key path, in the words a user reads.
func TestErrorGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/errors/*.yaml: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data)
			if err == nil {
				t.Fatalf("Parse(%s) = nil; want an error", f)
			}
			if goIdent.MatchString(err.Error()) {
				t.Errorf("Parse(%s) error names Go identifiers: %v", f, err)
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

// TestShowGoldens: what `fovea config show` prints for each
// testdata/show/*.yaml, every default filled in with its real value and
// secrets redacted.
func TestShowGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/show/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/show/*.yaml: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", f, err)
			}
			out, err := c.Show()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", out)
			// What show prints is itself a valid configuration that
			// means the same (secrets aside).
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(show output) = %v\n%s", err, out)
			}
			if back.MQTT != nil {
				back.MQTT.Password = c.Redacted().MQTT.Password
				back.MQTT.Broker = c.Redacted().MQTT.Broker
			}
			if back.Hash() != c.Redacted().Hash() {
				b, _ := yaml.Marshal(back)
				t.Errorf("show output parses to another configuration:\n%s", b)
			}
		})
	}
}
