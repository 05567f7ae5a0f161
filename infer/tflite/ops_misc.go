package tflite

import (
	"encoding/binary"
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpPack] = (*prep).prepPack
	preparers[schema.OpPadV2] = (*prep).prepPadV2
	preparers[schema.OpGather] = (*prep).prepGather
	preparers[schema.OpShape] = (*prep).prepShape
	preparers[schema.OpFill] = (*prep).prepFill
	preparers[schema.OpZerosLike] = (*prep).prepZerosLike
	preparers[schema.OpCast] = (*prep).prepCast
}

// prepPack: PACK(values…) stacks equal-shaped inputs along a new axis: a
// concatenation of blocks of prod(shape[axis:]) elements.
func (p *prep) prepPack() (kernel, int64, error) {
	o, _ := options[schema.PackOptions](p)
	if o == nil {
		o = &schema.PackOptions{}
	}
	if len(p.op.Inputs) == 0 {
		return nil, 0, p.bad("no inputs")
	}
	_, first, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(first, "input 0"); err != nil {
		return nil, 0, err
	}
	rank := len(first.shape)
	axis, err := p.resolveAxis(int(o.Axis), rank+1)
	if err != nil {
		return nil, 0, err
	}
	// PACK copies: no clamp, ±Inf stay.
	k := &concatK{size: first.dtype.Size(), dtype: first.dtype, actMin: float32(math.Inf(-1)), actMax: float32(math.Inf(1))}
	inner := 1
	for _, d := range first.shape[axis:] {
		inner *= d
	}
	k.outer = 1
	for _, d := range first.shape[:axis] {
		k.outer *= d
	}
	var ins []*tensorPlan
	for i := range p.op.Inputs {
		ti, t, err := p.input(i)
		if err != nil {
			return nil, 0, err
		}
		if t.dtype != first.dtype || !equalShape(t.shape, first.shape) {
			return nil, 0, p.bad("input %d is %s%s; PACK needs equal inputs (%s%s)", i, t.dtype, shapeString(t.shape), first.dtype, shapeString(first.shape))
		}
		k.ins = append(k.ins, ti)
		k.inner = append(k.inner, inner)
		ins = append(ins, t)
	}
	shape := append(append(append([]int(nil), first.shape[:axis]...), len(ins)), first.shape[axis:]...)
	iout, out, err := p.output(0, first.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k.out = iout
	if is8bit(first.dtype) {
		for i, t := range ins {
			if err := p.sameQuant(t, out); err != nil {
				return nil, 0, p.unsupported("input %d: %v", i, err)
			}
		}
	}
	return k, 0, nil
}

// padV2K is PAD with a constant pad value (PADV2, or PAD with a third
// input).
type padV2K struct {
	in, out int
	size    int
	p       kernels.PadParams
	value   uint64 // the pad element's bytes
}

func (k *padV2K) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.size {
	case 1:
		kernels.Pad(&k.p, in, out, uint8(k.value))
	case 2:
		kernels.Pad(&k.p, asU16(in), asU16(out), uint16(k.value))
	case 4:
		kernels.Pad(&k.p, asU32(in), asU32(out), uint32(k.value))
	case 8:
		kernels.Pad(&k.p, asU64(in), asU64(out), k.value)
	}
}

func (p *prep) prepPadV2() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	_, pt, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	kp, shape, err := p.padParams(in, pt)
	if err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &padV2K{in: iin, out: iout, size: in.dtype.Size(), p: kp}
	if is8bit(in.dtype) {
		if err := p.sameQuant(in, out); err != nil {
			return nil, 0, err
		}
		k.value = uint64(uint8(out.zp))
	}
	if _, vt, err := p.optInput(2); err != nil {
		return nil, 0, err
	} else if vt != nil {
		if vt.dtype != in.dtype || !vt.isConst() || len(vt.konst) != in.dtype.Size() {
			return nil, 0, p.unsupported("constant_values must be one constant %s value", in.dtype)
		}
		if is8bit(in.dtype) && vt.quant != nil && len(vt.quant.Scale) > 0 && (vt.scale != in.scale || vt.zp != in.zp) {
			return nil, 0, p.unsupported("constant_values quantization (scale %g, zero point %d) differs from the input's (%g, %d), as TFLite requires", vt.scale, vt.zp, in.scale, in.zp)
		}
		var b [8]byte
		copy(b[:], vt.konst)
		k.value = binary.LittleEndian.Uint64(b[:])
	}
	return k, 0, nil
}

// gatherK is GATHER: for each batch and outer block, copy the inner slices
// the indices pick (an index outside the axis gives zeros; TFLite fails
// the Invoke instead).
type gatherK struct {
	params, indices, out int
	batch, outer         int
	axisDim, inner, nIdx int // inner in bytes
	idx64                bool
}

func (k *gatherK) run(x *execCtx) {
	par, out := x.bufs[k.params], x.bufs[k.out]
	ib := x.bufs[k.indices]
	o := 0
	for b := 0; b < k.batch; b++ {
		for q := 0; q < k.outer; q++ {
			base := (b*k.outer + q) * k.axisDim * k.inner
			for j := 0; j < k.nIdx; j++ {
				var v int64
				if k.idx64 {
					v = asI64(ib)[b*k.nIdx+j]
				} else {
					v = int64(asI32(ib)[b*k.nIdx+j])
				}
				dst := out[o : o+k.inner]
				if v < 0 || v >= int64(k.axisDim) {
					clear(dst)
				} else {
					copy(dst, par[base+int(v)*k.inner:])
				}
				o += k.inner
			}
		}
	}
}

func (p *prep) prepGather() (kernel, int64, error) {
	ip, par, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(par, "params"); err != nil {
		return nil, 0, err
	}
	ii, idx, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	if idx.dtype != infer.Int32 && idx.dtype != infer.Int64 {
		return nil, 0, p.unsupported("indices are %s; want int32 or int64", idx.dtype)
	}
	o, _ := options[schema.GatherOptions](p)
	if o == nil {
		o = &schema.GatherOptions{}
	}
	rank := len(par.shape)
	axis, err := p.resolveAxis(int(o.Axis), rank)
	if err != nil {
		return nil, 0, err
	}
	bd := int(o.BatchDims)
	if bd < 0 {
		bd += len(idx.shape)
	}
	if bd < 0 || bd > axis || bd > len(idx.shape) {
		return nil, 0, p.bad("batch_dims %d with axis %d and indices %s", o.BatchDims, axis, shapeString(idx.shape))
	}
	k := &gatherK{params: ip, indices: ii, idx64: idx.dtype == infer.Int64, batch: 1, outer: 1, inner: par.dtype.Size(), nIdx: 1, axisDim: par.shape[axis]}
	for d := 0; d < bd; d++ {
		if idx.shape[d] != par.shape[d] {
			return nil, 0, p.bad("batch dimension %d differs: params %s, indices %s", d, shapeString(par.shape), shapeString(idx.shape))
		}
		k.batch *= par.shape[d]
	}
	for _, d := range par.shape[bd:axis] {
		k.outer *= d
	}
	for _, d := range par.shape[axis+1:] {
		k.inner *= d
	}
	for _, d := range idx.shape[bd:] {
		k.nIdx *= d
	}
	shape := append(append(append([]int(nil), par.shape[:axis]...), idx.shape[bd:]...), par.shape[axis+1:]...)
	iout, _, err := p.output(0, par.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(par, iout); err != nil {
		return nil, 0, err
	}
	k.out = iout
	return k, 0, nil
}

// constK writes fixed bytes (SHAPE, ZEROS_LIKE) on every Invoke.
type constK struct {
	out  int
	data []byte
}

func (k *constK) run(x *execCtx) {
	out := x.bufs[k.out]
	if k.data == nil {
		clear(out)
		return
	}
	copy(out, k.data)
}

func (p *prep) prepShape() (kernel, int64, error) {
	_, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	dt := infer.Int32
	if o, err := options[schema.ShapeOptions](p); err == nil && o.OutType == schema.Int64 {
		dt = infer.Int64
	}
	iout, _, err := p.output(0, dt, []int{len(in.shape)})
	if err != nil {
		return nil, 0, err
	}
	data := make([]byte, 0, 8*len(in.shape))
	for _, d := range in.shape {
		if dt == infer.Int64 {
			data = binary.LittleEndian.AppendUint64(data, uint64(d))
		} else {
			data = binary.LittleEndian.AppendUint32(data, uint32(d))
		}
	}
	return &constK{out: iout, data: data}, 0, nil
}

func (p *prep) prepZerosLike() (kernel, int64, error) {
	_, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if in.dtype != infer.Float32 && in.dtype != infer.Int32 && in.dtype != infer.Int64 {
		return nil, 0, p.unsupported("ZEROS_LIKE of %s; TFLite supports float32, int32 and int64", in.dtype)
	}
	iout, _, err := p.output(0, in.dtype, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	return &constK{out: iout}, 0, nil
}

// fillK repeats the value tensor's element over the output.
type fillK struct{ value, out, size int }

func (k *fillK) run(x *execCtx) {
	v, out := x.bufs[k.value][:k.size], x.bufs[k.out]
	for i := 0; i+k.size <= len(out); i += k.size {
		copy(out[i:], v)
	}
}

func (p *prep) prepFill() (kernel, int64, error) {
	_, dt, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	dims, err := p.constInts(dt, "dims")
	if err != nil {
		return nil, 0, err
	}
	iv, vt, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(vt, "value"); err != nil {
		return nil, 0, err
	}
	if n, _ := numElements(vt.shape); n != 1 {
		return nil, 0, p.bad("value must be a scalar, is %s", shapeString(vt.shape))
	}
	for _, d := range dims {
		if d < 0 {
			return nil, 0, p.bad("dims %v must be non-negative", dims)
		}
	}
	iout, _, err := p.output(0, vt.dtype, dims)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(vt, iout); err != nil {
		return nil, 0, err
	}
	return &fillK{value: iv, out: iout, size: vt.dtype.Size()}, 0, nil
}

// castK converts elements between numeric types as C++ static_cast does
// (float to integer truncates toward zero; bool is value ≠ 0).
type castK struct {
	in, out  int
	from, to infer.DType
}

func (k *castK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	n := len(in) / k.from.Size()
	for i := range n {
		var f float64
		var v int64
		isFloat := false
		switch k.from {
		case infer.Float32:
			f, isFloat = float64(asF32(in)[i]), true
		case infer.Int32:
			v = int64(asI32(in)[i])
		case infer.Int64:
			v = asI64(in)[i]
		case infer.Int16:
			v = int64(asI16(in)[i])
		case infer.UInt8, infer.Bool:
			v = int64(in[i])
		case infer.Int8:
			v = int64(int8(in[i]))
		}
		if isFloat && k.to != infer.Float32 {
			if k.to == infer.Bool {
				v = 0
				if f != 0 {
					v = 1
				}
			} else if f != f || math.IsInf(f, 0) {
				v = 0
			} else {
				v = int64(math.Trunc(max(min(f, 9.2e18), -9.2e18)))
			}
		}
		switch k.to {
		case infer.Float32:
			if isFloat {
				asF32(out)[i] = float32(f)
			} else {
				asF32(out)[i] = float32(v)
			}
		case infer.Int32:
			asI32(out)[i] = int32(v)
		case infer.Int64:
			asI64(out)[i] = v
		case infer.Int16:
			asI16(out)[i] = int16(v)
		case infer.UInt8, infer.Int8:
			out[i] = byte(v)
		case infer.Bool:
			out[i] = 0
			if v != 0 {
				out[i] = 1
			}
		}
	}
}

func (p *prep) prepCast() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if len(p.op.Outputs) == 0 || p.op.Outputs[0] < 0 {
		return nil, 0, p.bad("output 0 is missing")
	}
	to := p.t[p.op.Outputs[0]].dtype
	ok := func(d infer.DType) bool {
		switch d {
		case infer.Float32, infer.Int32, infer.Int64, infer.Int16, infer.UInt8, infer.Int8, infer.Bool:
			return true
		}
		return false
	}
	if !ok(in.dtype) || !ok(to) {
		return nil, 0, p.unsupported("CAST from %s to %s; supported: float32, int32, int64, int16, uint8, int8, bool", in.dtype, to)
	}
	iout, _, err := p.output(0, to, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	return &castK{in: iin, out: iout, from: in.dtype, to: to}, 0, nil
}
