package tflite

import (
	"math"
	"unsafe"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

// Dynamic-range ("hybrid") quantized models keep float activations and
// int8 weights. TFLite's hybrid kernels quantize the float input at run
// time (per batch image for convolutions, per row for FULLY_CONNECTED and
// BATCH_MATMUL; symmetric, or asymmetric when the options ask or the
// convolution is per channel), accumulate int32 dot products with the
// int8 weights and rescale to float.

func isHybrid(in, w *tensorPlan) bool {
	return in.dtype == infer.Float32 && w.dtype == infer.Int8
}

// checkHybridTypes: constant int8 weights with symmetric quantization and
// a float32 bias.
func (p *prep) checkHybridTypes(w, bias *tensorPlan) error {
	if !w.isConst() {
		return p.unsupported("int8 weights %q of a hybrid (float input) operator must be constant", w.name)
	}
	if err := p.needQuant(w, "weights"); err != nil {
		return err
	}
	for _, zp := range w.quant.ZeroPoint {
		if zp != 0 {
			return p.unsupported("hybrid weights %q have zero point %d; TFLite requires symmetric int8 weights", w.name, zp)
		}
	}
	if bias != nil && (bias.dtype != infer.Float32 || !bias.isConst()) {
		return p.unsupported("bias %q of a hybrid operator is %s; want a float32 constant", bias.name, bias.dtype)
	}
	return nil
}

// hybridBase holds what every hybrid kernel shares.
type hybridBase struct {
	in, out int
	w       []int8
	hf      *kernels.HybridFilter // packed weights (CONV_2D, FULLY_CONNECTED)
	wScale  []float32
	bias    []float32
	lo, hi  float32
	asym    bool
	rows    int // quantization groups (batch images or rows)
	depth   int // elements per group
}

// quantize quantizes the float input group by group into x.acc, with the
// scales in x.accf and the zero points after the codes.
func (h *hybridBase) quantize(in []float32, x *execCtx) (q []int32, scales []float32, zps []int32) {
	n := h.rows * h.depth
	q, zps = x.acc[:n], x.acc[n:n+h.rows]
	scales = x.accf[:h.rows]
	for r := 0; r < h.rows; r++ {
		v := in[r*h.depth : (r+1)*h.depth]
		if h.asym {
			scales[r], zps[r] = kernels.AsymmetricQuantizeFloats(v, q[r*h.depth:])
		} else {
			scales[r], zps[r] = kernels.SymmetricQuantizeFloats(v, q[r*h.depth:]), 0
		}
	}
	return q, scales, zps
}

// gemmScratch returns the int8 patch and int32 accumulators of the packed
// dot products, carved from x.acc after the quantized input.
func (h *hybridBase) gemmScratch(x *execCtx) ([]int8, []int32) {
	n := h.rows*h.depth + h.rows
	pk, ak := h.hf.HybridScratch()
	acc := x.acc[n : n+ak]
	return int32sAsInt8(x.acc[n+ak : n+ak+(pk+3)/4])[:pk], acc
}

// gemmScratchInts is how many int32 slots gemmScratch needs.
func gemmScratchInts(hf *kernels.HybridFilter) int {
	pk, ak := hf.HybridScratch()
	return ak + (pk+3)/4
}

func int32sAsInt8(s []int32) []int8 {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(s))), 4*len(s))
}

func (p *prep) hybridBase(iin int, w, bias *tensorPlan, iout, rows, depth int, act kernels.Activation, asym bool) hybridBase {
	h := hybridBase{in: iin, out: iout, w: as8[int8](w.konst), wScale: w.quant.Scale, asym: asym, rows: rows, depth: depth}
	if bias != nil {
		h.bias = asF32(bias.konst)
	}
	h.lo, h.hi = kernels.FloatActivationRange(act)
	p.needAcc(rows*depth + rows)
	return h
}

type hybridFCK struct {
	hybridBase
	units int
}

func (k *hybridFCK) run(x *execCtx) {
	q, s, zp := k.quantize(asF32(x.bufs[k.in]), x)
	patch, acc := k.gemmScratch(x)
	kernels.HybridRows(q, s, zp, k.rows, k.hf, k.wScale, k.bias, asF32(x.bufs[k.out]), k.lo, k.hi, patch, acc)
}

func (p *prep) hybridFC(iin int, w, bias *tensorPlan, iout, batches, depth, units int, act kernels.Activation, asym bool) (kernel, error) {
	if n := len(w.quant.Scale); n != 1 && n != units {
		return nil, p.bad("weights %q have %d scales for %d units", w.name, n, units)
	}
	k := &hybridFCK{hybridBase: p.hybridBase(iin, w, bias, iout, batches, depth, act, asym), units: units}
	// The hybrid FULLY_CONNECTED applies its activation with
	// ApplyActivationToVector: unbounded sides stay unbounded (±Inf pass).
	if k.hi == math.MaxFloat32 {
		k.hi = float32(math.Inf(1))
	}
	if k.lo == -math.MaxFloat32 {
		k.lo = float32(math.Inf(-1))
	}
	k.hf = kernels.PackHybrid(units, depth, k.w)
	p.needAcc(batches*depth + batches + gemmScratchInts(k.hf))
	return k, nil
}

type hybridConvK struct {
	hybridBase
	p         kernels.ConvParams
	depthwise bool
}

func (k *hybridConvK) run(x *execCtx) {
	q, s, zp := k.quantize(asF32(x.bufs[k.in]), x)
	if k.depthwise {
		kernels.HybridDepthwise(&k.p, q, s, zp, k.w, k.wScale, k.bias, asF32(x.bufs[k.out]), k.lo, k.hi, x.scratch, x.pool)
		return
	}
	kernels.HybridConv(&k.p, q, s, zp, k.hf, k.wScale, k.bias, asF32(x.bufs[k.out]), k.lo, k.hi, x.scratch, x.pool)
}

// scratch is the kernels.Scratch a hybrid CONV_2D needs with workers
// goroutines: a patch and accumulator row per worker.
func (k *hybridConvK) scratch(workers int) int {
	if k.depthwise {
		return 0
	}
	return kernels.HybridConvScratchSize(k.hf, workers)
}

// hybridConv: per-tensor weights quantize the input symmetrically (conv.cc
// EvalHybrid); per-channel weights, and every depthwise convolution,
// asymmetrically (EvalHybridPerChannel).
func (p *prep) hybridConv(cp kernels.ConvParams, depthwise bool, iin int, in, w, bias *tensorPlan, iout int, act kernels.Activation) (kernel, error) {
	n := len(w.quant.Scale)
	if n != 1 && n != cp.OutC {
		return nil, p.bad("filter %q has %d scales for %d output channels", w.name, n, cp.OutC)
	}
	asym := depthwise || n > 1
	size := cp.InH * cp.InW * cp.InC
	hb := p.hybridBase(iin, w, bias, iout, cp.N, size, act, asym)
	if !depthwise {
		hb.hf = kernels.PackHybrid(cp.OutC, cp.KH*cp.KW*cp.InC, hb.w)
	}
	return &hybridConvK{hybridBase: hb, p: cp, depthwise: depthwise}, nil
}

// hybridMatMul is the int8 right-hand side of a hybrid BATCH_MATMUL,
// stored per rhs batch as N rows of K (transposed once at prepare).
type hybridMatMul struct {
	rows  []*kernels.HybridFilter // per distinct rhs batch offset
	index map[int]int
	scale []float32
	asym  bool
	k, n  int
}

func (p *prep) prepHybridMatMul(r *tensorPlan, asym bool, n, k int) (*hybridMatMul, error) {
	if err := p.checkHybridTypes(r, nil); err != nil {
		return nil, err
	}
	if len(r.quant.Scale) != 1 {
		return nil, p.unsupported("hybrid BATCH_MATMUL with per-channel weights")
	}
	return &hybridMatMul{scale: r.quant.Scale, asym: asym, k: k, n: n, index: map[int]int{}}, nil
}

// pack arranges every rhs batch as N×K rows.
func (h *hybridMatMul) pack(kp *kernels.BatchMatMulParams, rhs []int8) {
	for _, off := range kp.RhsBatch {
		if _, ok := h.index[off]; ok {
			continue
		}
		t := make([]int8, h.n*h.k)
		for n := 0; n < h.n; n++ {
			for k := 0; k < h.k; k++ {
				if kp.AdjY {
					t[n*h.k+k] = rhs[off+n*h.k+k]
				} else {
					t[n*h.k+k] = rhs[off+k*h.n+n]
				}
			}
		}
		h.index[off] = len(h.rows)
		h.rows = append(h.rows, kernels.PackHybrid(h.n, h.k, t))
	}
}

func (h *hybridMatMul) runBatch(kp *kernels.BatchMatMulParams, lhs []float32, _ []int8, out []float32, x *execCtx) {
	m, k, n := kp.M, kp.K, kp.N
	rowBuf := x.accf[m : m+k]
	q, zps, scales := x.acc[:m*k], x.acc[m*k:m*k+m], x.accf[:m]
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1)) // no activation
	for b, lb := range kp.LhsBatch {
		for i := 0; i < m; i++ {
			for j := 0; j < k; j++ {
				if kp.AdjX {
					rowBuf[j] = lhs[lb+j*m+i]
				} else {
					rowBuf[j] = lhs[lb+i*k+j]
				}
			}
			if h.asym {
				scales[i], zps[i] = kernels.AsymmetricQuantizeFloats(rowBuf, q[i*k:])
			} else {
				scales[i], zps[i] = kernels.SymmetricQuantizeFloats(rowBuf, q[i*k:]), 0
			}
		}
		hf := h.rows[h.index[kp.RhsBatch[b]]]
		base := m*k + m
		acc := x.acc[base : base+n]
		patch := int32sAsInt8(x.acc[base+n : base+n+(k+3)/4])[:k]
		kernels.HybridRows(q, scales, zps, m, hf, h.scale, nil, out[b*m*n:], lo, hi, patch, acc)
	}
}
