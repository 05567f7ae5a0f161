package kernels

import (
	"math/rand/v2"
	"testing"
)

// mobilenetV2Depthwise are representative DEPTHWISE_CONV_2D shapes of
// MobileNet v2 1.0 224.
var mobilenetV2Depthwise = []struct {
	name string
	p    ConvParams
}{
	{"3x3s1_112x112x32", geom(1, 112, 112, 32, 32, 3, 3, 1, 1, 1, true)},
	{"3x3s2_112x112x96", geom(1, 112, 112, 96, 96, 3, 3, 2, 1, 1, true)},
	{"3x3s1_56x56x144", geom(1, 56, 56, 144, 144, 3, 3, 1, 1, 1, true)},
	{"3x3s1_14x14x576", geom(1, 14, 14, 576, 576, 3, 3, 1, 1, 1, true)},
	{"3x3s1_7x7x960", geom(1, 7, 7, 960, 960, 3, 3, 1, 1, 1, true)},
}

func depthwiseMACs(p *ConvParams) float64 {
	return float64(convPixels(p)) * float64(p.OutC) * float64(p.KH*p.KW)
}

func BenchmarkDepthwiseInt8_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Depthwise {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 3))
		nq := randQuant(r, p.OutC, p.KH*p.KW, true, true, true, false)
		q := nq.params()
		in := randBytes[int8](r, p.N*p.InH*p.InW*p.InC)
		f := randBytes[int8](r, p.KH*p.KW*p.OutC)
		bias := randBias(r, p.OutC, 1000)
		out := make([]int8, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				depthwiseRefQuant(&p, in, f, bias, out, q, 0, p.N*p.OutH)
			}
			m.report(b, depthwiseMACs(&p))
		})
		b.Run(tc.name+"/packed", func(b *testing.B) {
			pd := PackDepthwiseInt8(&p, f, bias, q)
			s := NewScratch(DepthwiseScratchSize(&p, 1, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				DepthwiseInt8Packed(&p, in, pd, out, s, nil)
			}
			m.report(b, depthwiseMACs(&p))
		})
	}
}

func BenchmarkDepthwiseUint8_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Depthwise {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 3))
		nq := randQuant(r, p.OutC, p.KH*p.KW, false, false, false, false)
		q := nq.params()
		in := randBytes[uint8](r, p.N*p.InH*p.InW*p.InC)
		f := randBytes[uint8](r, p.KH*p.KW*p.OutC)
		bias := randBias(r, p.OutC, 1000)
		out := make([]uint8, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				depthwiseRefQuant(&p, in, f, bias, out, q, 0, p.N*p.OutH)
			}
			m.report(b, depthwiseMACs(&p))
		})
		b.Run(tc.name+"/packed", func(b *testing.B) {
			pd := PackDepthwiseUint8(&p, f, bias, q)
			s := NewScratch(DepthwiseScratchSize(&p, 1, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				DepthwiseUint8Packed(&p, in, pd, out, s, nil)
			}
			m.report(b, depthwiseMACs(&p))
		})
	}
}

func BenchmarkDepthwiseFloat32_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Depthwise {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 3))
		in := randFloats(r, p.N*p.InH*p.InW*p.InC)
		f := randFloats(r, p.KH*p.KW*p.OutC)
		bias := randFloats(r, p.OutC)
		out := make([]float32, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				depthwiseRefFloat32(&p, in, f, bias, out, 0, 6, 0, p.N*p.OutH)
			}
			m.report(b, depthwiseMACs(&p))
		})
		b.Run(tc.name+"/fast", func(b *testing.B) {
			s := NewScratch(DepthwiseScratchSize(&p, 4, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				DepthwiseFloat32(&p, in, f, bias, out, 0, 6, s, nil)
			}
			m.report(b, depthwiseMACs(&p))
		})
	}
}
