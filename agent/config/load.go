package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
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
	if err := c.Validate(); err != nil || decErr != nil {
		return nil, errors.Join(decErr, err)
	}
	return c, nil
}

// Decode decodes data strictly and applies the defaults, without
// validating. For unknown keys and bad values it returns both the
// configuration (with those keys left out) and the error listing them, so
// that Parse can report validation problems too; for a syntax error, an
// empty file or a bad version it returns only the error.
func Decode(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Config
	var typeErrs error
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		switch {
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%w: the file holds no YAML document; start from configs/demo.yaml", ErrEmpty)
		case errors.As(err, &te):
			typeErrs = friendlyYAMLError(err)
		default:
			return nil, fmt.Errorf("YAML syntax: %w", err)
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document (a second '---'); put the whole configuration in one document")
	}
	if c.Version == 0 && typeErrs != nil {
		// Decoding stopped early (a duplicate key): the version may be
		// there; report what stopped it.
		return nil, typeErrs
	}
	if c.Version != Version {
		if c.Version == 0 {
			return nil, errors.Join(fmt.Errorf("%w: the top-level key 'version: %d' is missing", ErrVersion, Version), typeErrs)
		}
		return nil, fmt.Errorf("%w %d: this build reads version %d", ErrVersion, c.Version, Version)
	}
	c.applyDefaults()
	return &c, typeErrs
}

var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (config|mqttsync)\.(\w+)$`)

// friendlyYAMLError rewrites yaml.v3's type errors into one line per
// problem that names the key and the section.
func friendlyYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	problems := make([]error, 0, len(te.Errors))
	for _, e := range te.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil {
			problems = append(problems, fmt.Errorf("line %s: unknown key %q in %s; check its spelling against docs/config.md", m[1], m[2], sectionName(m[3], m[4])))
			continue
		}
		problems = append(problems, errors.New(strings.Replace(e, "config.", "", 1)))
	}
	return errors.Join(problems...)
}

func sectionName(pkg, typ string) string {
	if pkg == "mqttsync" {
		return "section mqtt"
	}
	switch typ {
	case "Config":
		return "the top level"
	case "Camera":
		return "a camera"
	case "ROI":
		return "a camera's roi"
	default:
		return "section " + strings.ToLower(typ)
	}
}
