package kernels

import (
	"errors"
	"fmt"
)

// Errors reported by the parameter checks of the heavy kernels (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED). The kernels themselves do not check:
// the interpreter calls the Check functions once at prepare time.
var (
	// ErrConvParams reports an inconsistent shape, stride, dilation or
	// padding in ConvParams, or buffers too short for the shapes.
	ErrConvParams = errors.New("kernels: bad convolution parameters")
	// ErrQuantParams reports inconsistent quantization parameters: a
	// missing or wrongly sized multiplier/shift table, a shift out of
	// range, or an activation range outside the element type.
	ErrQuantParams = errors.New("kernels: bad quantization parameters")
)

// ConvParams describes one CONV_2D or DEPTHWISE_CONV_2D: an NHWC input
// [N, InH, InW, InC] produces an NHWC output [N, OutH, OutW, OutC].
//
// Output pixel (oy, ox) reads input rows oy·StrideH − PadTop + ky·DilationH
// for ky in [0, KH), and columns likewise; taps that fall outside the image
// contribute nothing (for quantized kernels: as if the input held its zero
// point). The conv filter is OHWI [OutC, KH, KW, InC]; the depthwise filter
// is [1, KH, KW, InC·DepthMultiplier], and output channel ic·DepthMultiplier
// + m reads input channel ic. DepthMultiplier is ignored by CONV_2D.
type ConvParams struct {
	N, InH, InW, InC     int
	OutH, OutW, OutC     int
	KH, KW               int
	StrideH, StrideW     int
	DilationH, DilationW int
	PadTop, PadLeft      int
	DepthMultiplier      int
}

// QuantParams holds the requantization of a quantized kernel, computed at
// prepare time.
//
// The accumulator of one output is acc = Σ (in + InputOffset)·(filter +
// FilterOffset) + bias (int32, wrapping as TFLite's int32 does); the output
// is clamp(MultiplyByQuantizedMultiplier(acc, Multiplier[c], Shift[c]) +
// OutputOffset, ActMin, ActMax). InputOffset and FilterOffset are the
// negated zero points; OutputOffset is the output zero point.
//
// When len(Multiplier) == 1 the one multiplier serves every output channel
// (per-tensor); otherwise there is one per output channel (per-channel,
// int8, where FilterOffset is 0). Shift follows QuantizeMultiplier: positive
// is a left shift. HalfUp selects MultiplyByQuantizedMultiplierHalfUp (what
// TFLite's built-in int8 kernels do on x86-64) instead of the reference
// rounding. ActMin and ActMax must lie within the element type's range.
type QuantParams struct {
	InputOffset, FilterOffset, OutputOffset int32
	Multiplier                              []int32
	Shift                                   []int
	ActMin, ActMax                          int32
	HalfUp                                  bool
}

// CheckConv reports every inconsistency in p for a CONV_2D (depthwise
// false) or DEPTHWISE_CONV_2D (depthwise true), joined into one error
// wrapping ErrConvParams. It checks shapes only, not buffer lengths; use
// CheckConvBuffers for those.
func CheckConv(p *ConvParams, depthwise bool) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConvParams}, args...)...))
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"N", p.N}, {"InH", p.InH}, {"InW", p.InW}, {"InC", p.InC},
		{"OutH", p.OutH}, {"OutW", p.OutW}, {"OutC", p.OutC},
		{"KH", p.KH}, {"KW", p.KW}, {"StrideH", p.StrideH}, {"StrideW", p.StrideW},
		{"DilationH", p.DilationH}, {"DilationW", p.DilationW},
	} {
		if f.v < 1 {
			bad("%s = %d, want ≥ 1", f.name, f.v)
		}
	}
	if p.PadTop < 0 || p.PadLeft < 0 {
		bad("padding (%d, %d) is negative; want top/left padding ≥ 0", p.PadTop, p.PadLeft)
	}
	if depthwise {
		if p.DepthMultiplier < 1 {
			bad("DepthMultiplier = %d, want ≥ 1", p.DepthMultiplier)
		} else if p.OutC != p.InC*p.DepthMultiplier {
			bad("OutC = %d, want InC·DepthMultiplier = %d", p.OutC, p.InC*p.DepthMultiplier)
		}
	}
	const maxElems = 1 << 31
	if len(errs) == 0 {
		if n := int64(p.N) * int64(p.InH) * int64(p.InW) * int64(p.InC); n >= maxElems {
			bad("input has %d elements, want < 2^31", n)
		}
		if n := int64(p.N) * int64(p.OutH) * int64(p.OutW) * int64(p.OutC); n >= maxElems {
			bad("output has %d elements, want < 2^31", n)
		}
		if n := int64(p.OutC) * int64(p.KH) * int64(p.KW) * int64(p.InC); n >= maxElems {
			bad("filter has %d elements, want < 2^31", n)
		}
	}
	return errors.Join(errs...)
}

// CheckConvBuffers reports an error wrapping ErrConvParams when a buffer is
// shorter than p needs. bias may be nil (zeros).
func CheckConvBuffers(p *ConvParams, depthwise bool, inLen, filterLen, biasLen, outLen int) error {
	if err := CheckConv(p, depthwise); err != nil {
		return err
	}
	var errs []error
	fl := p.OutC * p.KH * p.KW * p.InC
	if depthwise {
		fl = p.KH * p.KW * p.OutC
	}
	for _, b := range []struct {
		name      string
		have, min int
	}{
		{"input", inLen, p.N * p.InH * p.InW * p.InC},
		{"filter", filterLen, fl},
		{"output", outLen, p.N * p.OutH * p.OutW * p.OutC},
	} {
		if b.have < b.min {
			errs = append(errs, fmt.Errorf("%w: %s has %d elements, want ≥ %d", ErrConvParams, b.name, b.have, b.min))
		}
	}
	if biasLen != 0 && biasLen < p.OutC {
		errs = append(errs, fmt.Errorf("%w: bias has %d elements, want %d (or none)", ErrConvParams, biasLen, p.OutC))
	}
	return errors.Join(errs...)
}

// CheckQuant reports every inconsistency in q for a kernel with outC output
// channels whose elements range over [lo, hi] (0..255 for uint8, −128..127
// for int8), joined into one error wrapping ErrQuantParams.
func CheckQuant(q *QuantParams, outC int, lo, hi int32) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrQuantParams}, args...)...))
	}
	if n := len(q.Multiplier); n != 1 && n != outC {
		bad("%d multipliers for %d output channels, want 1 or %d", n, outC, outC)
	}
	if len(q.Shift) != len(q.Multiplier) {
		bad("%d shifts for %d multipliers, want one each", len(q.Shift), len(q.Multiplier))
	}
	for i, m := range q.Multiplier {
		if m < 0 {
			bad("Multiplier[%d] = %d is negative; use QuantizeMultiplier", i, m)
		}
	}
	for i, s := range q.Shift {
		if s < -31 || s > 30 {
			bad("Shift[%d] = %d, want in [-31, 30]", i, s)
		}
	}
	if q.ActMin > q.ActMax || q.ActMin < lo || q.ActMax > hi {
		bad("activation range [%d, %d], want lo ≤ hi within [%d, %d]", q.ActMin, q.ActMax, lo, hi)
	}
	return errors.Join(errs...)
}
