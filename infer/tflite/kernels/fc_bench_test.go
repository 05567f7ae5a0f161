package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkFullyConnectedInt8 times MobileNet's classifier (1280 → 1001,
// batch 1), where the pool splits the output channels.
func BenchmarkFullyConnectedInt8(b *testing.B) {
	const inDepth, outDepth = 1280, 1001
	r := rand.New(rand.NewPCG(4, 4))
	q := randQuant(r, outDepth, inDepth, true, false, false, false).params()
	in := randBytes[int8](r, inDepth)
	w := randBytes[int8](r, outDepth*inDepth)
	bias := randBias(r, outDepth, 1000)
	out := make([]int8, outDepth)
	p := fcParams(1, inDepth, outDepth)
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		m := startCPU()
		for b.Loop() {
			convRefQuant(&p, in, w, bias, out, q, 0, 1)
		}
		m.report(b, inDepth*outDepth)
	})
	b.Run("packed", func(b *testing.B) {
		pf := PackConvInt8(outDepth, inDepth, w, bias, q)
		s := NewScratch(FullyConnectedScratchSize(1, inDepth, outDepth, 1, 1))
		b.ReportAllocs()
		m := startCPU()
		for b.Loop() {
			FullyConnectedInt8Packed(1, in, pf, out, s, nil)
		}
		m.report(b, inDepth*outDepth)
	})
}

// BenchmarkConvFloat32_MobileNetV2Layers times the float GEMM on the
// same shapes as the quantized benchmarks.
func BenchmarkConvFloat32_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Convs {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 2))
		k := p.KH * p.KW * p.InC
		in := randFloats(r, p.N*p.InH*p.InW*p.InC)
		f := randFloats(r, p.OutC*k)
		bias := randFloats(r, p.OutC)
		out := make([]float32, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				convRefFloat32(&p, in, f, bias, out, -1, 1, 0, p.N*p.OutH)
			}
			m.report(b, convMACs(&p))
		})
		b.Run(tc.name+"/packed", func(b *testing.B) {
			pf := PackConvFloat32(p.OutC, k, f, bias)
			s := NewScratch(ConvScratchSize(&p, 4, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				ConvFloat32Packed(&p, in, pf, out, -1, 1, s, nil)
			}
			m.report(b, convMACs(&p))
		})
	}
}
