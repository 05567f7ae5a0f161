package camera

import (
	"fmt"
	"strings"

	"github.com/fovea-edge/fovea/internal/base/registry"
)

// Checker validates the location part of a URI (after "scheme:") without
// opening a device, stream or connection: `fovea config check` runs it so
// that a mistake shows before the agent starts. Errors should say what to
// write instead.
type Checker func(rest string) error

var (
	checkers    = registry.New[Checker]("camera URI checker")
	unavailable = registry.New[string]("unavailable camera scheme")
)

// RegisterChecker adds the URI check of scheme; a scheme without one
// accepts any non-empty location in Check. It panics on a duplicate.
func RegisterChecker(scheme string, check Checker) { checkers.Register(scheme, check) }

// RegisterUnavailable records that scheme exists but its backend is not
// compiled into this binary; why says how to get it ("rebuild with -tags
// opencv …"). Open and Check of that scheme fail with ErrUnavailable and
// why; Schemes does not list it.
func RegisterUnavailable(scheme, why string) { unavailable.Register(scheme, why) }

// Unavailable lists the schemes known but not compiled in, sorted.
func Unavailable() []string { return unavailable.Names() }

// Check validates uri as far as possible without opening it: the scheme
// must be compiled into this binary, and its backend's Checker (if any)
// must accept the location. Errors wrap ErrUnknownScheme, ErrUnavailable
// or ErrPermanent.
func Check(uri string) error {
	_, rest, err := lookup(uri)
	if err != nil {
		return err
	}
	scheme, _, _ := strings.Cut(uri, ":")
	if check, ok := checkers.Lookup(scheme); ok {
		return check(rest)
	}
	if strings.TrimSpace(rest) == "" {
		return fmt.Errorf("%s: empty location after the scheme: %w", scheme, ErrPermanent)
	}
	return nil
}

// guessed maps URL schemes people write without a backend prefix to the
// backend that reads them.
var guessed = map[string]string{"rtsp": "opencv", "rtmp": "opencv", "http": "mjpeg", "https": "mjpeg"}

// lookup resolves uri's scheme to its opener; the errors name the schemes
// this binary has.
func lookup(uri string) (Opener, string, error) {
	scheme, rest, ok := strings.Cut(uri, ":")
	known := strings.Join(Schemes(), ", ")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/ ") {
		return nil, "", fmt.Errorf("%w: want scheme:location, e.g. dir:./frames or synthetic:seed=1 (schemes in this build: %s)", ErrPermanent, known)
	}
	if why, ok := unavailable.Lookup(scheme); ok {
		return nil, "", fmt.Errorf("%w: %s: %s", ErrUnavailable, scheme, why)
	}
	open, ok := openers.Lookup(scheme)
	if ok {
		return open, rest, nil
	}
	if backend, ok := guessed[scheme]; ok {
		hint := fmt.Sprintf("write %s:%s", backend, uri)
		if why, off := unavailable.Lookup(backend); off {
			hint += "; " + backend + ": " + why
		}
		return nil, "", fmt.Errorf("%w %q: name the backend: %s (schemes in this build: %s)", ErrUnknownScheme, scheme, hint, known)
	}
	return nil, "", fmt.Errorf("%w %q (schemes in this build: %s)", ErrUnknownScheme, scheme, known)
}
