package kernels

import (
	"math/rand/v2"
	"testing"
)

// mobilenetV2Convs are representative CONV_2D shapes of MobileNet v2 1.0
// 224 (batch 1).
var mobilenetV2Convs = []struct {
	name string
	p    ConvParams
}{
	{"3x3s2_224x224x3_to32", geom(1, 224, 224, 3, 32, 3, 3, 2, 1, 1, true)},
	{"1x1_112x112x32_to16", geom(1, 112, 112, 32, 16, 1, 1, 1, 1, 1, false)},
	{"1x1_56x56x24_to144", geom(1, 56, 56, 24, 144, 1, 1, 1, 1, 1, false)},
	{"1x1_28x28x192_to32", geom(1, 28, 28, 192, 32, 1, 1, 1, 1, 1, false)},
	{"1x1_7x7x320_to1280", geom(1, 7, 7, 320, 1280, 1, 1, 1, 1, 1, false)},
}

func convMACs(p *ConvParams) float64 {
	return float64(convPixels(p)) * float64(p.OutC) * float64(p.KH*p.KW*p.InC)
}

func BenchmarkConvInt8_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Convs {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 2))
		k := p.KH * p.KW * p.InC
		nq := randQuant(r, p.OutC, k, true, true, true, false)
		q := nq.params()
		in := randBytes[int8](r, p.N*p.InH*p.InW*p.InC)
		f := randBytes[int8](r, p.OutC*k)
		bias := randBias(r, p.OutC, 1000)
		out := make([]int8, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				convRefQuant(&p, in, f, bias, out, q, 0, p.N*p.OutH)
			}
			m.report(b, convMACs(&p))
		})
		b.Run(tc.name+"/packed", func(b *testing.B) {
			pf := PackConvInt8(p.OutC, k, f, bias, q)
			s := NewScratch(ConvScratchSize(&p, 1, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				ConvInt8Packed(&p, in, pf, out, s, nil)
			}
			m.report(b, convMACs(&p))
		})
	}
}

func BenchmarkConvUint8_MobileNetV2Layers(b *testing.B) {
	for _, tc := range mobilenetV2Convs {
		p := tc.p
		r := rand.New(rand.NewPCG(1, 2))
		k := p.KH * p.KW * p.InC
		nq := randQuant(r, p.OutC, k, false, false, false, false)
		q := nq.params()
		in := randBytes[uint8](r, p.N*p.InH*p.InW*p.InC)
		f := randBytes[uint8](r, p.OutC*k)
		bias := randBias(r, p.OutC, 1000)
		out := make([]uint8, convPixels(&p)*p.OutC)
		b.Run(tc.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				convRefQuant(&p, in, f, bias, out, q, 0, p.N*p.OutH)
			}
			m.report(b, convMACs(&p))
		})
		b.Run(tc.name+"/packed", func(b *testing.B) {
			pf := PackConvUint8(p.OutC, k, f, bias, q)
			s := NewScratch(ConvScratchSize(&p, 1, 1))
			b.ReportAllocs()
			m := startCPU()
			for b.Loop() {
				ConvUint8Packed(&p, in, pf, out, s, nil)
			}
			m.report(b, convMACs(&p))
		})
	}
}
