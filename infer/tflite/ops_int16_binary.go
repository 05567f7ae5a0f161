package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// bin16K is int16 ADD, SUB or MUL.
type bin16K struct {
	a, b, out      int
	mul, pot       bool
	bc             kernels.Broadcast4
	add            kernels.AddParams
	mulp           kernels.MulParams
	shift1, shift2 int // right shifts of the power-of-two ADD path
}

func (k *bin16K) run(x *execCtx) {
	a, b, out := asI16(x.bufs[k.a]), asI16(x.bufs[k.b]), asI16(x.bufs[k.out])
	switch {
	case k.mul:
		kernels.MulInt16(&k.mulp, &k.bc, a, b, out)
	case k.pot:
		kernels.AddInt16POT(k.shift1, k.shift2, a, b, out, k.add.ActMin, k.add.ActMax)
	default:
		kernels.AddInt16(&k.add, &k.bc, a, b, out)
	}
}

// log2Exact is TFLite's CheckedLog2: the rounded log2 of x and whether x
// is (within 1e-3 of) a power of two.
func log2Exact(x float32) (int, bool) {
	l := math.Log2(float64(x))
	r := math.Round(l)
	return int(r), math.Abs(l-r) < 1e-3
}

// binary16Inputs reads the two int16 inputs, the fused activation and the
// broadcast output of ADD, SUB or MUL.
func (p *prep) binary16Inputs(op schema.BuiltinOperator) (ia, ib int, a, b *tensorPlan, act kernels.Activation, pot bool, bc kernels.Broadcast4, shape []int, err error) {
	if ia, a, err = p.input(0); err != nil {
		return
	}
	if ib, b, err = p.input(1); err != nil {
		return
	}
	if err = p.need16(a, "input 0"); err != nil {
		return
	}
	if err = p.need16(b, "input 1"); err != nil {
		return
	}
	var sa schema.Activation
	pot = true // pot_scale_int16 defaults to true
	switch op {
	case schema.OpAdd:
		if o, e := options[schema.AddOptions](p); e == nil {
			sa, pot = o.Activation, o.PotScaleInt16
		}
	case schema.OpSub:
		if o, e := options[schema.SubOptions](p); e == nil {
			sa, pot = o.Activation, o.PotScaleInt16
		}
	case schema.OpMul:
		if o, e := options[schema.MulOptions](p); e == nil {
			sa = o.Activation
		}
	}
	if act, err = p.activation(sa); err != nil {
		return
	}
	var ok bool
	if bc, shape, ok = broadcast(a.shape, b.shape); !ok {
		err = p.unsupported("shapes %s and %s do not broadcast (up to 6-D, at most 4 groups of axes that broadcast alike)", shapeString(a.shape), shapeString(b.shape))
	}
	return
}

// prepAddSub16 is int16 ADD and SUB. With pot_scale_int16 (the default)
// and every scale a power of two, TFLite takes its power-of-two path;
// otherwise the general path of 8-bit ADD with a left shift of 15 (SUB:
// input 2's multiplier negated, as sub.cc does).
func (p *prep) prepAddSub16(sub bool) (kernel, int64, error) {
	op := schema.OpAdd
	if sub {
		op = schema.OpSub
	}
	ia, ib, a, b, act, pot, bc, shape, err := p.binary16Inputs(op)
	if err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, infer.Int16, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(out, "output"); err != nil {
		return nil, 0, err
	}
	k := &bin16K{a: ia, b: ib, out: iout, bc: bc}
	l1, ok1 := log2Exact(a.scale)
	l2, ok2 := log2Exact(b.scale)
	lo, ok3 := log2Exact(out.scale)
	k.pot = pot && ok1 && ok2 && ok3
	if k.pot {
		if sub {
			return nil, 0, p.unsupported("int16 SUB with power-of-two scales (TFLite's Sub16 LSTM path) is not implemented; set pot_scale_int16 false")
		}
		s1, s2 := l1-lo, l2-lo
		if (s1 != 0 && s2 != 0) || s1 > 0 || s2 > 0 || s1 < -31 || s2 < -31 {
			return nil, 0, p.unsupported("int16 ADD with power-of-two scales needs one input at the output's scale and the other finer (shifts %d, %d), as TFLite", s1, s2)
		}
		if !bc.Flat {
			return nil, 0, p.unsupported("int16 ADD with power-of-two scales does not broadcast (%s and %s)", shapeString(a.shape), shapeString(b.shape))
		}
		k.shift1, k.shift2 = -s1, -s2
	} else {
		if sub && !bc.Flat {
			return nil, 0, p.unsupported("broadcasting int16 SUB is not implemented (%s and %s)", shapeString(a.shape), shapeString(b.shape))
		}
		k.add = kernels.PrepareAddInt16(a.scale, b.scale, out.scale)
		if sub {
			k.add.Input2Multiplier = -k.add.Input2Multiplier
		}
	}
	k.add.ActMin, k.add.ActMax = quantRange(act, out)
	n, _ := numElements(shape)
	return k, int64(n), nil
}

// prepMul16 is int16 MUL: the product of the codes times s1·s2/so (in
// float32, as mul.cc computes it).
func (p *prep) prepMul16() (kernel, int64, error) {
	ia, ib, a, b, act, _, bc, shape, err := p.binary16Inputs(schema.OpMul)
	if err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, infer.Int16, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(out, "output"); err != nil {
		return nil, 0, err
	}
	k := &bin16K{a: ia, b: ib, out: iout, mul: true, bc: bc}
	k.mulp = kernels.PrepareMul(a.scale, 0, b.scale, 0, out.scale, 0)
	k.mulp.ActMin, k.mulp.ActMax = quantRange(act, out)
	n, _ := numElements(shape)
	return k, int64(n), nil
}

// pool16K is int16 AVERAGE_POOL_2D or MAX_POOL_2D.
type pool16K struct {
	in, out    int
	avg        bool
	p          kernels.PoolParams
	qMin, qMax int32
}

func (k *pool16K) run(x *execCtx) {
	in, out := asI16(x.bufs[k.in]), asI16(x.bufs[k.out])
	if k.avg {
		kernels.AvgPoolQuant(&k.p, in, out, k.qMin, k.qMax, x.acc)
	} else {
		kernels.MaxPoolQuant(&k.p, in, out, k.qMin, k.qMax)
	}
}

// prepPool16 prepares the int16 pools like the 8-bit ones (TFLite's
// reference integer pooling: rounded average of the valid taps, or the
// maximum, then the activation clamp) and swaps in the int16 kernel.
func (p *prep) prepPool16(avg bool) (kernel, int64, error) {
	_, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(in, "input"); err != nil {
		return nil, 0, err
	}
	k, macs, err := p.prepPool(avg)
	if err != nil {
		return nil, 0, err
	}
	pk := k.(*poolK)
	return &pool16K{in: pk.in, out: pk.out, avg: avg, p: pk.p, qMin: pk.qMin, qMax: pk.qMax}, macs, nil
}
