package kernels

// BatchMatMulParams describe out[b] = lhs[b] · rhs[b] with batch
// broadcasting: LhsBatch[i] and RhsBatch[i] are the element offsets of the
// two operands for output batch i; the matrices are M×K and K×N after the
// optional transposes (AdjX, AdjY).
type BatchMatMulParams struct {
	M, K, N            int
	AdjX, AdjY         bool
	LhsBatch, RhsBatch []int
	// Quantized (int8): offsets are the negated input zero points.
	LhsOffset, RhsOffset, OutOffset int32
	Multiplier                      int32
	Shift                           int
}

func (p *BatchMatMulParams) lhsAt(base, m, k int) int {
	if p.AdjX {
		return base + k*p.M + m
	}
	return base + m*p.K + k
}

func (p *BatchMatMulParams) rhsAt(base, k, n int) int {
	if p.AdjY {
		return base + n*p.K + k
	}
	return base + k*p.N + n
}

// BatchMatMulFloat32 computes float BATCH_MATMUL.
func BatchMatMulFloat32(p *BatchMatMulParams, lhs, rhs, out []float32) {
	o := 0
	for b := range p.LhsBatch {
		lb, rb := p.LhsBatch[b], p.RhsBatch[b]
		for m := 0; m < p.M; m++ {
			for n := 0; n < p.N; n++ {
				var s float32
				for k := 0; k < p.K; k++ {
					s += float32(lhs[p.lhsAt(lb, m, k)] * rhs[p.rhsAt(rb, k, n)])
				}
				out[o] = s
				o++
			}
		}
	}
}

// BatchMatMulInt8 computes int8 BATCH_MATMUL as TFLite's optimized kernel
// (cpu_backend_gemm, ruy on x86-64) does: int32 accumulation of
// (lhs + LhsOffset)(rhs + RhsOffset), requantized half-up, plus the output
// zero point, clamped to int8.
func BatchMatMulInt8(p *BatchMatMulParams, lhs, rhs, out []int8) {
	o := 0
	for b := range p.LhsBatch {
		lb, rb := p.LhsBatch[b], p.RhsBatch[b]
		for m := 0; m < p.M; m++ {
			for n := 0; n < p.N; n++ {
				var acc int32
				for k := 0; k < p.K; k++ {
					acc += (int32(lhs[p.lhsAt(lb, m, k)]) + p.LhsOffset) * (int32(rhs[p.rhsAt(rb, k, n)]) + p.RhsOffset)
				}
				v := MultiplyByQuantizedMultiplierHalfUp(acc, p.Multiplier, p.Shift) + p.OutOffset
				out[o] = int8(min(max(v, -128), 127))
				o++
			}
		}
	}
}
