package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	for _, op := range []schema.BuiltinOperator{schema.OpSub, schema.OpDiv, schema.OpMaximum, schema.OpMinimum, schema.OpSquaredDifference, schema.OpPrelu} {
		preparers[op] = func(p *prep) (kernel, int64, error) { return p.prepBinaryExt(op) }
	}
}

// binExtK is SUB, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE or PRELU.
type binExtK struct {
	op        schema.BuiltinOperator
	a, b, out int
	dtype     infer.DType
	bc        kernels.Broadcast4
	lo, hi    float32
	iMin      int32 // int32 SUB activation range
	iMax      int32
	add       kernels.AddParams
	sq        kernels.SquaredDiffParams
	prelu     kernels.PreluParams
	div       kernels.DivParams
}

func fsub(x, y float32) float32 { return x - y }
func fdiv(x, y float32) float32 { return x / y }
func fsqd(x, y float32) float32 { d := x - y; return d * d }
func fprelu(x, a float32) float32 {
	if x >= 0 {
		return x
	}
	return x * a
}

func maxOf[T int8like | ~int32 | ~int64 | ~int16 | ~float32](x, y T) T { return max(x, y) }
func minOf[T int8like | ~int32 | ~int64 | ~int16 | ~float32](x, y T) T { return min(x, y) }

func (k *binExtK) run(x *execCtx) {
	a, b, out := x.bufs[k.a], x.bufs[k.b], x.bufs[k.out]
	if k.op == schema.OpMaximum || k.op == schema.OpMinimum {
		mx := k.op == schema.OpMaximum
		switch k.dtype {
		case infer.Float32:
			if mx {
				kernels.BinarySelect(&k.bc, asF32(a), asF32(b), asF32(out), maxOf[float32])
			} else {
				kernels.BinarySelect(&k.bc, asF32(a), asF32(b), asF32(out), minOf[float32])
			}
		case infer.UInt8:
			if mx {
				kernels.BinarySelect(&k.bc, a, b, out, maxOf[uint8])
			} else {
				kernels.BinarySelect(&k.bc, a, b, out, minOf[uint8])
			}
		case infer.Int8:
			if mx {
				kernels.BinarySelect(&k.bc, as8[int8](a), as8[int8](b), as8[int8](out), maxOf[int8])
			} else {
				kernels.BinarySelect(&k.bc, as8[int8](a), as8[int8](b), as8[int8](out), minOf[int8])
			}
		case infer.Int16:
			if mx {
				kernels.BinarySelect(&k.bc, asI16(a), asI16(b), asI16(out), maxOf[int16])
			} else {
				kernels.BinarySelect(&k.bc, asI16(a), asI16(b), asI16(out), minOf[int16])
			}
		case infer.Int32:
			if mx {
				kernels.BinarySelect(&k.bc, asI32(a), asI32(b), asI32(out), maxOf[int32])
			} else {
				kernels.BinarySelect(&k.bc, asI32(a), asI32(b), asI32(out), minOf[int32])
			}
		case infer.Int64:
			if mx {
				kernels.BinarySelect(&k.bc, asI64(a), asI64(b), asI64(out), maxOf[int64])
			} else {
				kernels.BinarySelect(&k.bc, asI64(a), asI64(b), asI64(out), minOf[int64])
			}
		}
		return
	}
	if k.dtype == infer.Int32 && k.op == schema.OpSub {
		kernels.BinaryInt32(&k.bc, asI32(a), asI32(b), asI32(out), k.iMin, k.iMax, subI32)
		return
	}
	if k.dtype == infer.Float32 {
		var f func(x, y float32) float32
		switch k.op {
		case schema.OpSub:
			f = fsub
		case schema.OpDiv:
			f = fdiv
		case schema.OpSquaredDifference:
			f = fsqd
		case schema.OpPrelu:
			f = fprelu
		}
		kernels.BinaryFloat32(&k.bc, asF32(a), asF32(b), asF32(out), k.lo, k.hi, f)
		return
	}
	switch k.op {
	case schema.OpSub:
		// TFLite runs 8-bit SUB through its ADD kernels with input 2's
		// multiplier negated (sub.cc), which rounds exact ties of that
		// input's rescaling the other way from subtracting afterwards.
		if k.dtype == infer.UInt8 {
			kernels.AddQuant(&k.add, &k.bc, a, b, out, x.scratch, x.pool)
		} else {
			kernels.AddQuant(&k.add, &k.bc, as8[int8](a), as8[int8](b), as8[int8](out), x.scratch, x.pool)
		}
	case schema.OpSquaredDifference:
		if k.dtype == infer.UInt8 {
			kernels.SquaredDiffQuant(&k.sq, &k.bc, a, b, out)
		} else {
			kernels.SquaredDiffQuant(&k.sq, &k.bc, as8[int8](a), as8[int8](b), as8[int8](out))
		}
	case schema.OpPrelu:
		if k.dtype == infer.UInt8 {
			kernels.PreluQuant(&k.prelu, &k.bc, a, b, out)
		} else {
			kernels.PreluQuant(&k.prelu, &k.bc, as8[int8](a), as8[int8](b), as8[int8](out))
		}
	case schema.OpDiv:
		kernels.DivUint8(&k.div, &k.bc, a, b, out)
	}
}

func (p *prep) prepBinaryExt(op schema.BuiltinOperator) (kernel, int64, error) {
	ia, a, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	ib, b, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	if b.dtype != a.dtype {
		return nil, 0, p.unsupported("inputs are %s and %s; they must match", a.dtype, b.dtype)
	}
	minmax := op == schema.OpMaximum || op == schema.OpMinimum
	switch {
	case minmax && (a.dtype == infer.Int32 || a.dtype == infer.Int64 || a.dtype == infer.Int16):
	case op == schema.OpSub && a.dtype == infer.Int32:
	default:
		if err := p.checkDType(a, "input 0"); err != nil {
			return nil, 0, err
		}
		if err := p.checkDType(b, "input 1"); err != nil {
			return nil, 0, err
		}
	}
	var act schema.Activation
	switch op {
	case schema.OpSub:
		if o, err := options[schema.SubOptions](p); err == nil {
			act = o.Activation
		}
	case schema.OpDiv:
		if o, err := options[schema.DivOptions](p); err == nil {
			act = o.Activation
		}
	}
	ka, err := p.activation(act)
	if err != nil {
		return nil, 0, err
	}
	bc, shape, ok := broadcast(a.shape, b.shape)
	if !ok {
		return nil, 0, p.unsupported("shapes %s and %s do not broadcast (up to 6-D, at most 4 groups of axes that broadcast alike)", shapeString(a.shape), shapeString(b.shape))
	}
	iout, out, err := p.output(0, a.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &binExtK{op: op, a: ia, b: ib, out: iout, dtype: a.dtype, bc: bc}
	n, _ := numElements(shape)
	if a.dtype == infer.Int32 && op == schema.OpSub {
		k.iMin, k.iMax = kernels.Int32ActivationRange(ka)
		return k, int64(n), nil
	}
	if a.dtype == infer.Float32 {
		k.lo, k.hi = kernels.FloatActivationRange(ka)
		if op == schema.OpPrelu || op == schema.OpSquaredDifference {
			// TFLite applies no activation clamp to these (±Inf stay).
			k.lo, k.hi = float32(math.Inf(-1)), float32(math.Inf(1))
		}
		return k, int64(n), nil
	}
	if minmax {
		// Like TFLite, compare and copy codes (a converter gives the
		// inputs and output one quantization).
		return k, int64(n), nil
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	lo, hi := quantRange(ka, out)
	switch op {
	case schema.OpSub:
		k.add = kernels.PrepareAdd(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
		k.add.Input2Multiplier = -k.add.Input2Multiplier
		k.add.ActMin, k.add.ActMax = lo, hi
	case schema.OpSquaredDifference:
		if a.dtype != infer.Int8 {
			return nil, 0, p.unsupported("SQUARED_DIFFERENCE of %s (TFLite supports float32, int32 and int8)", a.dtype)
		}
		k.sq = kernels.PrepareSquaredDiff(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
		k.sq.ActMin, k.sq.ActMax = lo, hi
	case schema.OpPrelu:
		k.prelu = kernels.PreparePrelu(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
	case schema.OpDiv:
		if a.dtype != infer.UInt8 {
			return nil, 0, p.unsupported("DIV of %s (TFLite supports float32, int32 and uint8)", a.dtype)
		}
		k.div = kernels.PrepareDiv(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
		k.div.ActMin, k.div.ActMax = lo, hi
	}
	return k, int64(n), nil
}
