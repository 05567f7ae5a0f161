package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpBatchMatMul] = (*prep).prepBatchMatMul
}

type batchMatMulK struct {
	lhs, rhs, out int
	dtype         infer.DType
	p             kernels.BatchMatMulParams
	hybrid        *hybridMatMul
}

func (k *batchMatMulK) run(x *execCtx) {
	l, r, out := x.bufs[k.lhs], x.bufs[k.rhs], x.bufs[k.out]
	switch {
	case k.hybrid != nil:
		k.hybrid.runBatch(&k.p, asF32(l), as8[int8](r), asF32(out), x)
	case k.dtype == infer.Float32:
		kernels.BatchMatMulFloat32(&k.p, asF32(l), asF32(r), asF32(out))
	default:
		kernels.BatchMatMulInt8(&k.p, as8[int8](l), as8[int8](r), as8[int8](out))
	}
}

// prepBatchMatMul: BATCH_MATMUL(lhs, rhs) with adj_x/adj_y and broadcast
// batch dimensions (rank 2 to 5), float32, int8, or hybrid (float lhs,
// int8 constant rhs).
func (p *prep) prepBatchMatMul() (kernel, int64, error) {
	il, l, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	ir, r, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	o, _ := options[schema.BatchMatMulOptions](p)
	if o == nil {
		o = &schema.BatchMatMulOptions{}
	}
	if len(l.shape) < 2 || len(r.shape) < 2 || len(l.shape) > 5 || len(r.shape) > 5 {
		return nil, 0, p.unsupported("BATCH_MATMUL of %s and %s (ranks 2 to 5)", shapeString(l.shape), shapeString(r.shape))
	}
	lr, rr := len(l.shape), len(r.shape)
	m, k := l.shape[lr-2], l.shape[lr-1]
	if o.AdjX {
		m, k = k, m
	}
	k2, n := r.shape[rr-2], r.shape[rr-1]
	if o.AdjY {
		k2, n = n, k2
	}
	if k != k2 {
		return nil, 0, p.bad("inner dimensions differ: %s and %s", shapeString(l.shape), shapeString(r.shape))
	}
	// Broadcast the batch dimensions.
	lb, rb := l.shape[:lr-2], r.shape[:rr-2]
	rank := max(len(lb), len(rb))
	batch := make([]int, rank)
	get := func(s []int, i int) int {
		if j := i - (rank - len(s)); j >= 0 {
			return s[j]
		}
		return 1
	}
	for i := range rank {
		a, b := get(lb, i), get(rb, i)
		switch {
		case a == b || b == 1:
			batch[i] = a
		case a == 1:
			batch[i] = b
		default:
			return nil, 0, p.bad("batch dimensions of %s and %s do not broadcast", shapeString(l.shape), shapeString(r.shape))
		}
	}
	kp := kernels.BatchMatMulParams{M: m, K: k, N: n, AdjX: o.AdjX, AdjY: o.AdjY}
	nb, _ := numElements(batch)
	for i := range nb {
		idx := unflattenIdx(i, batch)
		lo, ro := 0, 0
		for d := range rank {
			if get(lb, d) != 1 {
				lo = lo*get(lb, d) + idx[d]
			} else {
				lo = lo * 1
			}
			if get(rb, d) != 1 {
				ro = ro*get(rb, d) + idx[d]
			}
		}
		kp.LhsBatch = append(kp.LhsBatch, lo*m*k)
		kp.RhsBatch = append(kp.RhsBatch, ro*k*n)
	}
	shape := append(append([]int(nil), batch...), m, n)
	macs := int64(nb) * int64(m) * int64(k) * int64(n)
	bk := &batchMatMulK{lhs: il, rhs: ir, dtype: l.dtype}
	switch {
	case l.dtype == infer.Float32 && r.dtype == infer.Float32:
		iout, _, err := p.output(0, infer.Float32, shape)
		if err != nil {
			return nil, 0, err
		}
		bk.out, bk.p = iout, kp
		return bk, macs, nil
	case l.dtype == infer.Float32 && r.dtype == infer.Int8:
		iout, _, err := p.output(0, infer.Float32, shape)
		if err != nil {
			return nil, 0, err
		}
		h, err := p.prepHybridMatMul(r, o.AsymmetricQuantizeInputs, n, k)
		if err != nil {
			return nil, 0, err
		}
		h.pack(&kp, as8[int8](r.konst))
		p.needAcc(m*k + m + n + (k+3)/4)
		p.needAcc(m + k) // float scratch: scales and one row
		bk.out, bk.p, bk.hybrid = iout, kp, h
		return bk, macs, nil
	case l.dtype == infer.Int8 && r.dtype == infer.Int8:
		if err := p.needQuant(l, "input 0"); err != nil {
			return nil, 0, err
		}
		if err := p.needQuant(r, "input 1"); err != nil {
			return nil, 0, err
		}
		iout, out, err := p.output(0, infer.Int8, shape)
		if err != nil {
			return nil, 0, err
		}
		if err := p.needQuant(out, "output"); err != nil {
			return nil, 0, err
		}
		kp.LhsOffset, kp.RhsOffset, kp.OutOffset = -l.zp, -r.zp, out.zp
		kp.Multiplier, kp.Shift = kernels.QuantizeMultiplier(float64(l.scale*r.scale) / float64(out.scale))
		bk.out, bk.p = iout, kp
		return bk, macs, nil
	}
	return nil, 0, p.unsupported("BATCH_MATMUL of %s and %s; supported: float32, int8, and float32 × int8 (hybrid)", l.dtype, r.dtype)
}

func unflattenIdx(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}
