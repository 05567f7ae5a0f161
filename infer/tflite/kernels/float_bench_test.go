package kernels

import (
	"math/rand/v2"
	"testing"
)

// mobilenetV1Float are the CONV_2D shapes of float MobileNet v1 0.25 224
// (batch 1); FC is its 1x1 classifier.
var mobilenetV1Float = []struct {
	name string
	p    ConvParams
}{
	{"3x3s2_224x224x3_to8", geom(1, 224, 224, 3, 8, 3, 3, 2, 1, 1, true)},
	{"1x1_112x112x8_to16", geom(1, 112, 112, 8, 16, 1, 1, 1, 1, 1, false)},
	{"1x1_56x56x32_to32", geom(1, 56, 56, 32, 32, 1, 1, 1, 1, 1, false)},
	{"1x1_28x28x64_to64", geom(1, 28, 28, 64, 64, 1, 1, 1, 1, 1, false)},
	{"1x1_14x14x128_to128", geom(1, 14, 14, 128, 128, 1, 1, 1, 1, 1, false)},
	{"1x1_7x7x256_to256", geom(1, 7, 7, 256, 256, 1, 1, 1, 1, 1, false)},
	{"1x1_1x1x256_to1001", geom(1, 1, 1, 256, 1001, 1, 1, 1, 1, 1, false)},
}

var mobilenetV1FloatDW = []struct {
	name string
	p    ConvParams
}{
	{"3x3s1_112x112x8", geom(1, 112, 112, 8, 8, 3, 3, 1, 1, 1, true)},
	{"3x3s2_112x112x16", geom(1, 112, 112, 16, 16, 3, 3, 2, 1, 1, true)},
	{"3x3s1_56x56x32", geom(1, 56, 56, 32, 32, 3, 3, 1, 1, 1, true)},
	{"3x3s1_14x14x128", geom(1, 14, 14, 128, 128, 3, 3, 1, 1, 1, true)},
	{"3x3s1_7x7x256", geom(1, 7, 7, 256, 256, 3, 3, 1, 1, 1, true)},
}

// BenchmarkFloat32_MobileNetV1Layers runs the float layers on the active
// path (FOVEA_KERNELS selects it), one thread, reporting GMAC/s over
// thread CPU time.
func BenchmarkFloat32_MobileNetV1Layers(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range mobilenetV1Float {
		p := tc.p
		k := p.KH * p.KW * p.InC
		in := randFloats(r, p.N*p.InH*p.InW*p.InC)
		pf := PackConvFloat32(p.OutC, k, randFloats(r, p.OutC*k), randFloats(r, p.OutC))
		out := make([]float32, convPixels(&p)*p.OutC)
		s := NewScratch(ConvScratchSize(&p, 4, 1))
		b.Run("conv/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				ConvFloat32Packed(&p, in, pf, out, 0, 6, s, nil)
			}
			m.report(b, convMACs(&p))
		})
	}
	for _, tc := range mobilenetV1FloatDW {
		p := tc.p
		in := randFloats(r, p.N*p.InH*p.InW*p.InC)
		f, bias := randFloats(r, 9*p.OutC), randFloats(r, p.OutC)
		out := make([]float32, convPixels(&p)*p.OutC)
		s := NewScratch(DepthwiseScratchSize(&p, 4, 1))
		b.Run("depthwise/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				DepthwiseFloat32(&p, in, f, bias, out, 0, 6, s, nil)
			}
			m.report(b, depthwiseMACs(&p))
		})
	}
}
