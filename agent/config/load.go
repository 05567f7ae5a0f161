package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	// ErrEmpty is returned for a file with no YAML document in it.
	ErrEmpty = errors.New("empty configuration")
	// ErrVersion is returned when the version key is missing or names a
	// schema this build does not read.
	ErrVersion = errors.New("unsupported configuration version")
	// ErrInvalid wraps the problems Validate finds.
	ErrInvalid = errors.New("invalid configuration")
)

// maxFileSize bounds the configuration file; a larger one is a mistake.
const maxFileSize = 1 << 20

// Load reads, defaults and validates the configuration file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config.Load: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config.Load %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config.Load %s: file larger than %d bytes; is this a configuration file?", path, maxFileSize)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config.Load %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes data strictly, applies the defaults and validates. It
// reports every problem at once: each unknown key and bad value with its
// line, then every validation problem (wrapped in ErrInvalid).
func Parse(data []byte) (*Config, error) {
	c, decErr := Decode(data)
	if c == nil {
		return nil, decErr
	}
	err := invalid(withoutDecoded(c.problems(), decErr))
	if err != nil || decErr != nil {
		return nil, errors.Join(decErr, err)
	}
	return c, nil
}

// withoutDecoded drops the validation problems of keys that already
// failed to decode: after `line 9: cameras[1].uri: want a string`, that
// the uri is empty is no news.
func withoutDecoded(problems []error, decErr error) []error {
	var failed []string
	if j, ok := decErr.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if de, ok := e.(*decodeError); ok {
				failed = append(failed, de.path)
			}
		}
	}
	if len(failed) == 0 {
		return problems
	}
	kept := problems[:0:0]
	for _, p := range problems {
		key, _, _ := strings.Cut(p.Error(), ": ")
		key = cameraID.ReplaceAllString(key, "]")
		covered := false
		for _, f := range failed {
			if f == key || strings.HasPrefix(f, key+".") {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, p)
		}
	}
	return kept
}

// cameraID matches the "] (front)" that problems add after a camera's
// index.
var cameraID = regexp.MustCompile(`\] \([^)]*\)`)

// Decode decodes data strictly and applies the defaults, without
// validating. For unknown keys and bad values it returns both the
// configuration (with those keys left out) and the error listing them,
// each with its line and key path, so that Parse can report validation
// problems too; for a syntax error, an empty file or a bad version it
// returns only the error.
func Decode(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file holds no YAML document; start from configs/demo.yaml", ErrEmpty)
		}
		return nil, fmt.Errorf("YAML syntax: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document (a second '---'); put the whole configuration in one document")
	}
	var c Config
	var w walker
	if len(doc.Content) == 1 {
		w.decode(doc.Content[0], "", reflect.ValueOf(&c).Elem())
	}
	typeErrs := errors.Join(w.errs...)
	if c.Version != Version {
		if c.Version == 0 {
			return nil, errors.Join(fmt.Errorf("%w: the top-level key 'version: %d' is missing", ErrVersion, Version), typeErrs)
		}
		return nil, fmt.Errorf("%w %d: this build reads version %d", ErrVersion, c.Version, Version)
	}
	c.applyDefaults()
	return &c, typeErrs
}
