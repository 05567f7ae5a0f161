package kernels

import (
	"math"
	"unsafe"
)

// SymmetricQuantizeFloats is TFLite's SymmetricQuantizeFloats (used by
// hybrid kernels): codes round(v·127/r), r = max |v|, clamped to ±127; the
// scale is r/127 (1 for an all-zero vector, whose codes are 0).
func SymmetricQuantizeFloats(v []float32, q []int32) (scale float32) {
	var lo, hi float32
	for i, x := range v {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	r := max(float32(math.Abs(float64(lo))), float32(math.Abs(float64(hi))))
	if r == 0 {
		clear(q[:len(v)])
		return 1
	}
	inv := 127 / r
	for i, x := range v {
		c := int32(math.Round(float64(x * inv)))
		q[i] = min(max(c, -127), 127)
	}
	return r / 127
}

// AsymmetricQuantizeFloats is TFLite's AsymmetricQuantizeFloats: the range
// [min(0, lo), max(0, hi)] mapped onto [−128, 127] in double precision, the
// zero point nudged to an integer, codes round(zp + v/scale) in float32.
func AsymmetricQuantizeFloats(v []float32, q []int32) (scale float32, zp int32) {
	var lo, hi float32
	for i, x := range v {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	rmin, rmax := float64(min(0, lo)), float64(max(0, hi))
	if rmin == rmax {
		clear(q[:len(v)])
		return 1, 0
	}
	const qmin, qmax = -128.0, 127.0
	s := (rmax - rmin) / (qmax - qmin)
	zpMin, zpMax := qmin-rmin/s, qmax-rmax/s
	errMin := math.Abs(qmin) + math.Abs(rmin/s)
	errMax := math.Abs(qmax) + math.Abs(rmax/s)
	zpd := zpMax
	if errMin < errMax {
		zpd = zpMin
	}
	switch {
	case zpd <= qmin:
		zp = -128
	case zpd >= qmax:
		zp = 127
	default:
		zp = int32(math.Round(zpd))
	}
	scale = float32(s)
	inv := 1 / scale
	for i, x := range v {
		c := int32(math.Round(float64(float32(zp) + float32(x*inv))))
		q[i] = min(max(c, -128), 127)
	}
	return scale, zp
}

// HybridFilter is int8 weights [outC][k] packed for the hybrid kernels:
// the packed GEMM of the int8 convolutions (three channels per 64-bit
// multiply) computes Σ q·w over raw input codes, and the per-channel
// weight sums turn that into Σ (q − zp)·w.
type HybridFilter struct {
	pf     *PackedFilter
	rowSum []int32
	K      int // taps per output channel
	OutC   int
}

// PackHybrid packs weights [outC][k] at prepare time.
func PackHybrid(outC, k int, w []int8) *HybridFilter {
	q := QuantParams{Multiplier: []int32{1 << 30}, Shift: []int{0}, ActMin: -128, ActMax: 127}
	// dot reads the generic path's blocks, whatever path is active.
	pf := &PackedFilter{}
	packQuantPath(pf, outC, k, w, nil, &q, 0, PathGeneric)
	pf.filterI8 = w
	h := &HybridFilter{pf: pf, rowSum: make([]int32, outC), K: k, OutC: outC}
	for c := range outC {
		for _, v := range w[c*k : (c+1)*k] {
			h.rowSum[c] += int32(v)
		}
	}
	return h
}

// dot sets acc[c] = Σ (a[t] − zp)·w[c][t] for every output channel; a
// holds raw int8 codes.
func (h *HybridFilter) dot(a []int8, zp int32, acc []int32) {
	pf := h.pf
	for b := range pf.blocks() {
		ch, n := pf.blockRange(b)
		var blk [blockCh]int32
		if b < pf.nb4 {
			block4(a, pf.w4[b*pf.k:(b+1)*pf.k], &blk)
		} else {
			blockTail(a, pf.wt, pf.tw, &blk)
		}
		for c := range n {
			acc[ch+c] = blk[c] - zp*h.rowSum[ch+c]
		}
	}
}

// HybridScratch is how many int8 (patch) and int32 (accumulator) values
// the hybrid kernels need.
func (h *HybridFilter) HybridScratch() (patch, acc int) { return h.K, h.OutC }

// HybridRows computes out[r][u] = bias[u] + (Σ_k (q[r][k] − zp[r])·w[u][k])
// · scale[r]·wScale[u] for rows of a float matrix quantized per row, as
// TFLite's hybrid FULLY_CONNECTED does (int32 dot products, float
// rescaling), then clamps to [lo, hi]. wScale has one value (per tensor)
// or one per unit. patch and acc are scratch (HybridScratch).
func HybridRows(q []int32, scales []float32, zps []int32, rows int, h *HybridFilter, wScale, bias []float32, out []float32, lo, hi float32, patch []int8, acc []int32) {
	depth, units := h.K, h.OutC
	patch, acc = patch[:depth], acc[:units]
	for r := 0; r < rows; r++ {
		for k, v := range q[r*depth : (r+1)*depth] {
			patch[k] = int8(v)
		}
		h.dot(patch, zps[r], acc)
		for u, dot := range acc {
			var s float32
			if len(wScale) == 1 {
				s = scales[r] * wScale[0]
			} else {
				s = scales[r] * wScale[u]
			}
			v := float32(float32(dot) * s)
			if bias != nil {
				v = bias[u] + v
			}
			out[r*units+u] = min(max(v, lo), hi)
		}
	}
}

// HybridConv computes CONV_2D with float input quantized per batch image
// (q, scales, zps) and int8 weights: int32 accumulation of (q − zp)·w over
// the taps (a tap outside the image is the code zp, i.e. real 0), then
// ·scale·wScale[c] + bias, clamped. Output rows are split across pool's
// workers, each with a patch and accumulator row in s (plan it with
// HybridConvScratchSize; nil allocates).
func HybridConv(p *ConvParams, q []int32, scales []float32, zps []int32, h *HybridFilter, wScale, bias []float32, out []float32, lo, hi float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(hybridConvRows)
	j.p, j.hf, j.in32, j.scales, j.zps, j.wScale, j.biasF, j.outF = p, h, q, scales, zps, wScale, bias, out
	j.actMin, j.actMax = lo, hi
	j.panelLen = hybridPanel(h)
	j.panels32 = s.int32Panels(pool.Workers(), j.panelLen)
	pool.run(j, p.N*p.OutH)
}

// HybridConvScratchSize returns the bytes of Scratch HybridConv with
// filter h needs when run by workers goroutines.
func HybridConvScratchSize(h *HybridFilter, workers int) int {
	return max(workers, 1) * hybridPanel(h) * 4
}

// hybridPanel is the int32 working memory per worker of HybridConv: the
// accumulator row, then the int8 patch.
func hybridPanel(h *HybridFilter) int { return h.OutC + (h.K+3)/4 }

// hybridConvRows computes output rows [r0, r1) of HybridConv as worker w.
func hybridConvRows(j *kernelJob, w, r0, r1 int) {
	p, h := j.p, j.hf
	panel := j.panels32[w*j.panelLen:][:j.panelLen]
	acc := panel[:p.OutC]
	patch := unsafe.Slice((*int8)(unsafe.Pointer(&panel[h.OutC])), 4*(len(panel)-h.OutC))[:h.K]
	for r := r0; r < r1; r++ {
		b, oy := r/p.OutH, r%p.OutH
		img := j.in32[b*p.InH*p.InW*p.InC:]
		zp := j.zps[b]
		for ox := 0; ox < p.OutW; ox++ {
			i := 0
			for ky := 0; ky < p.KH; ky++ {
				iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
				for kx := 0; kx < p.KW; kx++ {
					ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
					dst := patch[i : i+p.InC]
					if iy < 0 || iy >= p.InH || ix < 0 || ix >= p.InW {
						for c := range dst {
							dst[c] = int8(zp)
						}
					} else {
						for c, v := range img[(iy*p.InW+ix)*p.InC:][:p.InC] {
							dst[c] = int8(v)
						}
					}
					i += p.InC
				}
			}
			h.dot(patch, zp, acc)
			o := j.outF[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for c, a := range acc {
				ws := j.wScale[0]
				if len(j.wScale) > 1 {
					ws = j.wScale[c]
				}
				v := float32(float32(a) * float32(j.scales[b]*ws))
				if j.biasF != nil {
					v += j.biasF[c]
				}
				o[c] = min(max(v, j.actMin), j.actMax)
			}
		}
	}
}

// HybridDepthwise computes DEPTHWISE_CONV_2D like HybridConv (weights
// [1, KH, KW, OutC]). Output rows are split across pool's workers; s holds
// the job record (nil allocates one).
func HybridDepthwise(p *ConvParams, q []int32, scales []float32, zps []int32, w []int8, wScale, bias []float32, out []float32, lo, hi float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(hybridDepthwiseRows)
	j.p, j.in32, j.scales, j.zps, j.filterI8, j.wScale, j.biasF, j.outF = p, q, scales, zps, w, wScale, bias, out
	j.actMin, j.actMax = lo, hi
	pool.run(j, p.N*p.OutH)
}

// hybridDepthwiseRows computes output rows [r0, r1) of HybridDepthwise.
func hybridDepthwiseRows(j *kernelJob, _, r0, r1 int) {
	p, w, wScale := j.p, j.filterI8, j.wScale
	for r := r0; r < r1; r++ {
		b, oy := r/p.OutH, r%p.OutH
		img := j.in32[b*p.InH*p.InW*p.InC:]
		zp := j.zps[b]
		for ox := 0; ox < p.OutW; ox++ {
			dst := j.outF[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for c := range dst {
				var acc int32
				ic := c / p.DepthMultiplier
				for ky := 0; ky < p.KH; ky++ {
					iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
					if iy < 0 || iy >= p.InH {
						continue
					}
					for kx := 0; kx < p.KW; kx++ {
						ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
						if ix < 0 || ix >= p.InW {
							continue
						}
						acc += (img[(iy*p.InW+ix)*p.InC+ic] - zp) * int32(w[(ky*p.KW+kx)*p.OutC+c])
					}
				}
				ws := wScale[0]
				if len(wScale) > 1 {
					ws = wScale[c]
				}
				v := float32(float32(acc) * float32(j.scales[b]*ws))
				if j.biasF != nil {
					v += j.biasF[c]
				}
				dst[c] = min(max(v, j.actMin), j.actMax)
			}
		}
	}
}
