package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // test vectors may be JPEG
	_ "image/png"  // or PNG
	"math"
	"time"

	"github.com/fovea-edge/fovea/infer"
)

// ErrTestVector marks a model whose output on a test vector differs from
// what the bundle's signer recorded.
var ErrTestVector = errors.New("model output differs from the bundle's test vector")

// maxTestPixels bounds a decoded test image (4096×4096).
const maxTestPixels = 1 << 24

// DecodeImage decodes a PNG or JPEG test image, refusing huge ones before
// allocating them.
func DecodeImage(data []byte) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bundle.DecodeImage: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxTestPixels {
		return nil, fmt.Errorf("bundle.DecodeImage: %w: %d×%d image", ErrTooLarge, cfg.Width, cfg.Height)
	}
	im, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("bundle.DecodeImage: %w", err)
	}
	return im, nil
}

// TestResult is one test vector's outcome.
type TestResult struct {
	Input   string
	Got     []infer.Class
	Latency time.Duration // preprocessing + invoke
}

// RunTests classifies every test vector of m with c and compares the
// result: same classes in the same order and every score within the
// vector's tolerance. read returns a member's bytes. It stops at the first
// mismatch, with an error wrapping ErrTestVector that names the input.
func RunTests(ctx context.Context, c *infer.Classifier, m *Manifest, read func(name string) ([]byte, error)) ([]TestResult, error) {
	var out []TestResult
	for _, tv := range m.Tests {
		data, err := read(tv.Input)
		if err != nil {
			return out, fmt.Errorf("bundle.RunTests: %w", err)
		}
		im, err := DecodeImage(data)
		if err != nil {
			return out, fmt.Errorf("bundle.RunTests %s: %w", tv.Input, err)
		}
		p, err := c.Classify(ctx, im, len(tv.Top))
		if err != nil {
			return out, fmt.Errorf("bundle.RunTests %s: %w", tv.Input, err)
		}
		out = append(out, TestResult{Input: tv.Input, Got: p.Top, Latency: p.Preprocess + p.Invoke})
		if err := compareTop(tv, p.Top); err != nil {
			return out, fmt.Errorf("bundle.RunTests %s: %w", tv.Input, err)
		}
	}
	return out, nil
}

func compareTop(tv TestVector, got []infer.Class) error {
	if len(got) < len(tv.Top) {
		return fmt.Errorf("%w: %d classes; want %d", ErrTestVector, len(got), len(tv.Top))
	}
	for i, want := range tv.Top {
		g := got[i]
		if g.Index != want.Index || g.Label != want.Label {
			// Near-ties may swap places within the tolerance; only the
			// top-1 must be the same class.
			if i == 0 || math.Abs(float64(g.Score-want.Score)) > float64(tv.Tolerance) {
				return fmt.Errorf("%w: class %d is %q (%d) %.4f; want %q (%d) %.4f", ErrTestVector, i+1, g.Label, g.Index, g.Score, want.Label, want.Index, want.Score)
			}
			continue
		}
		if d := math.Abs(float64(g.Score - want.Score)); d > float64(tv.Tolerance) {
			return fmt.Errorf("%w: %q scores %.4f; want %.4f ± %.4f", ErrTestVector, g.Label, g.Score, want.Score, tv.Tolerance)
		}
	}
	return nil
}
