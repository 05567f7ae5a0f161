package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// fuzzBytes hands out fuzz input bytes, zeros once they run out.
type fuzzBytes []byte

func (b *fuzzBytes) next() byte {
	if len(*b) == 0 {
		return 0
	}
	v := (*b)[0]
	*b = (*b)[1:]
	return v
}

// intn returns a value in [lo, lo+n).
func (b *fuzzBytes) intn(lo, n int) int { return lo + int(b.next())%n }

// FuzzConvQuant compares the quantized CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED kernels (fast paths and their fallbacks, 1 and 2 workers)
// with the naive reference on shapes, offsets, multipliers and activation
// ranges drawn from the fuzz input.
func FuzzConvQuant(f *testing.F) {
	f.Add([]byte{0, 1, 5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{3, 1, 9, 8, 12, 25, 3, 3, 2, 1, 1, 2, 1, 1, 0, 9, 200, 7, 1, 250, 3, 3, 3})
	f.Add([]byte{6, 2, 4, 7, 5, 14, 2, 4, 1, 3, 2, 1, 3, 0, 2, 128, 0, 255, 0, 255, 1, 1})
	f.Add([]byte{1, 1, 1, 1, 40, 13, 1, 1, 1, 1, 1, 1, 0, 0, 0, 127, 128, 0, 0, 0, 64})
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBytes(data)
		sel := b.next()
		signed, depthwise, fc := sel&1 == 0, sel&2 != 0, sel&12 == 12
		halfUp, perChannel := sel&16 != 0, sel&32 != 0 && signed
		p := ConvParams{N: b.intn(1, 2), InH: b.intn(1, 9), InW: b.intn(1, 9), InC: b.intn(1, 20), OutC: b.intn(1, 26),
			KH: b.intn(1, 4), KW: b.intn(1, 4), StrideH: b.intn(1, 3), StrideW: b.intn(1, 3),
			DilationH: b.intn(1, 2), DilationW: b.intn(1, 2), DepthMultiplier: b.intn(1, 3)}
		if fc {
			depthwise = false
			p = fcParams(b.intn(1, 5), b.intn(1, 80), b.intn(1, 40))
		}
		if depthwise {
			p.InC = b.intn(1, 12)
			p.OutC = p.InC * p.DepthMultiplier
		}
		ekh, ekw := (p.KH-1)*p.DilationH+1, (p.KW-1)*p.DilationW+1
		p.PadTop, p.PadLeft = int(b.next())%ekh, int(b.next())%ekw
		padBottom, padRight := int(b.next())%ekh, int(b.next())%ekw
		p.OutH = (p.InH+p.PadTop+padBottom-ekh)/p.StrideH + 1
		p.OutW = (p.InW+p.PadLeft+padRight-ekw)/p.StrideW + 1
		if p.InH+p.PadTop+padBottom < ekh || p.InW+p.PadLeft+padRight < ekw || CheckConv(&p, depthwise) != nil {
			return
		}
		lo, hi := int64(0), int64(255)
		if signed {
			lo, hi = -128, 127
		}
		nq := &naiveQuant{halfUp: halfUp}
		nq.inZP = lo + int64(b.next())
		nq.outZP = lo + int64(b.next())
		if !signed || !perChannel {
			nq.filterZP = lo + int64(b.next())
		}
		nMult := 1
		if perChannel {
			nMult = p.OutC
		}
		for range nMult {
			// A real multiplier in [2^-24, 2): mantissa from one byte,
			// exponent from another.
			real := math.Ldexp(1+float64(b.next())/256, -int(b.next())%25)
			m, s := QuantizeMultiplier(real)
			nq.mult, nq.shift = append(nq.mult, m), append(nq.shift, s)
		}
		a1, a2 := lo+int64(b.next()), lo+int64(b.next())
		nq.actMin, nq.actMax = min(a1, a2), max(a1, a2)
		var seed [8]byte
		for i := range seed {
			seed[i] = b.next()
		}
		r := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:]), 9))
		fl := p.OutC * p.KH * p.KW * p.InC
		if depthwise {
			fl = p.KH * p.KW * p.OutC
		}
		var bias []int32
		if sel&64 == 0 {
			bias = randBias(r, p.OutC, 1<<int(r.IntN(20)))
		}
		q := nq.params()
		if err := CheckQuant(q, p.OutC, int32(lo), int32(hi)); err != nil {
			t.Fatalf("CheckQuant refused the fuzz's own parameters: %v", err)
		}
		if signed {
			fuzzCompare[int8](t, &p, depthwise, fc, r, fl, bias, nq)
		} else {
			fuzzCompare[uint8](t, &p, depthwise, fc, r, fl, bias, nq)
		}
	})
}

func fuzzCompare[T int8 | uint8](t *testing.T, p *ConvParams, depthwise, fc bool, r *rand.Rand, filterLen int, bias []int32, nq *naiveQuant) {
	in := randBytes[T](r, p.N*p.InH*p.InW*p.InC)
	filter := randBytes[T](r, filterLen)
	want := naiveConvQuant(p, depthwise, in, filter, bias, nq)
	q := nq.params()
	forEachPath(t, func(path Path) {
		for _, workers := range []int{1, 2} {
			pool := NewPool(workers)
			got := make([]T, len(want))
			switch {
			case fc:
				fcQuant(p.InH, p.InC, p.OutC, in, filter, bias, got, q, pool)
			case depthwise:
				depthwiseQuant(p, in, filter, bias, got, q, pool)
			default:
				convQuant(p, in, filter, bias, got, q, pool)
			}
			pool.Close()
			if d := firstDiff(p, got, want); d != "" {
				t.Fatalf("%+v depthwise=%v fc=%v %v path, %d workers, quant %+v: %s", *p, depthwise, fc, path, workers, *nq, d)
			}
		}
	})
}

// convQuant, depthwiseQuant and fcQuant dispatch on the element type.
func convQuant[T int8 | uint8](p *ConvParams, in, filter []T, bias []int32, out []T, q *QuantParams, pool *Pool) {
	switch in := any(in).(type) {
	case []int8:
		ConvInt8(p, in, any(filter).([]int8), bias, any(out).([]int8), q, nil, pool)
	case []uint8:
		ConvUint8(p, in, any(filter).([]uint8), bias, any(out).([]uint8), q, nil, pool)
	}
}

func depthwiseQuant[T int8 | uint8](p *ConvParams, in, filter []T, bias []int32, out []T, q *QuantParams, pool *Pool) {
	switch in := any(in).(type) {
	case []int8:
		DepthwiseInt8(p, in, any(filter).([]int8), bias, any(out).([]int8), q, nil, pool)
	case []uint8:
		DepthwiseUint8(p, in, any(filter).([]uint8), bias, any(out).([]uint8), q, nil, pool)
	}
}

func fcQuant[T int8 | uint8](batches, inDepth, outDepth int, in, w []T, bias []int32, out []T, q *QuantParams, pool *Pool) {
	switch in := any(in).(type) {
	case []int8:
		FullyConnectedInt8(batches, inDepth, outDepth, in, any(w).([]int8), bias, any(out).([]int8), q, nil, pool)
	case []uint8:
		FullyConnectedUint8(batches, inDepth, outDepth, in, any(w).([]uint8), bias, any(out).([]uint8), q, nil, pool)
	}
}

// FuzzConvFloat compares the float32 CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED kernels with the float64 reference, within the rounding
// error of a float32 sum, on shapes drawn from the fuzz input.
func FuzzConvFloat(f *testing.F) {
	f.Add([]byte{0, 1, 5, 5, 3, 4, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1, 2, 3})
	f.Add([]byte{2, 1, 9, 8, 12, 25, 3, 3, 2, 1, 1, 2, 1, 1, 0, 9, 200, 7})
	f.Add([]byte{12, 2, 4, 7, 5, 14, 2, 4, 1, 3, 2, 1, 3, 0, 2, 128})
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBytes(data)
		sel := b.next()
		depthwise, fc, relu := sel&2 != 0, sel&12 == 12, sel&16 != 0
		p := ConvParams{N: b.intn(1, 2), InH: b.intn(1, 9), InW: b.intn(1, 9), InC: b.intn(1, 20), OutC: b.intn(1, 26),
			KH: b.intn(1, 4), KW: b.intn(1, 4), StrideH: b.intn(1, 3), StrideW: b.intn(1, 3),
			DilationH: b.intn(1, 2), DilationW: b.intn(1, 2), DepthMultiplier: b.intn(1, 3)}
		if fc {
			depthwise = false
			p = fcParams(b.intn(1, 5), b.intn(1, 80), b.intn(1, 40))
		}
		if depthwise {
			p.InC = b.intn(1, 12)
			p.OutC = p.InC * p.DepthMultiplier
		}
		ekh, ekw := (p.KH-1)*p.DilationH+1, (p.KW-1)*p.DilationW+1
		p.PadTop, p.PadLeft = int(b.next())%ekh, int(b.next())%ekw
		padBottom, padRight := int(b.next())%ekh, int(b.next())%ekw
		p.OutH = (p.InH+p.PadTop+padBottom-ekh)/p.StrideH + 1
		p.OutW = (p.InW+p.PadLeft+padRight-ekw)/p.StrideW + 1
		if p.InH+p.PadTop+padBottom < ekh || p.InW+p.PadLeft+padRight < ekw || CheckConv(&p, depthwise) != nil {
			return
		}
		r := rand.New(rand.NewPCG(uint64(b.next()), uint64(b.next())))
		taps, fl := p.KH*p.KW*p.InC, p.OutC*p.KH*p.KW*p.InC
		if depthwise {
			taps, fl = p.KH*p.KW, p.KH*p.KW*p.OutC
		}
		in, filter := randFloats(r, p.N*p.InH*p.InW*p.InC), randFloats(r, fl)
		var bias []float32
		if sel&64 == 0 {
			bias = randFloats(r, p.OutC)
		}
		lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
		if relu {
			lo, hi = 0, 6
		}
		want := naiveConvFloat(&p, depthwise, in, filter, bias, lo, hi)
		for _, workers := range []int{1, 2} {
			pool := NewPool(workers)
			got := make([]float32, len(want))
			switch {
			case fc:
				FullyConnectedFloat32(p.InH, p.InC, p.OutC, in, filter, bias, got, lo, hi, nil, pool)
			case depthwise:
				DepthwiseFloat32(&p, in, filter, bias, got, lo, hi, nil, pool)
			default:
				ConvFloat32(&p, in, filter, bias, got, lo, hi, nil, pool)
			}
			pool.Close()
			checkFloats(t, "float kernel", got, want, taps)
		}
	})
}
