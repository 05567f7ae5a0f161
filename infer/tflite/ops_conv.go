package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// Rounding of the built-in kernels' requantization, found against the
// goldens (see docs/interpreter.md): int8 CONV_2D rounds half up.
var (
	halfUpConvInt8      = true
	halfUpDepthwiseInt8 = false
	halfUpFCInt8        = true
)

// computePadding is TFLite's ComputePaddingHeightWidth for one axis: the
// output size for the padding mode and the leading pad.
func computePadding(pad schema.Padding, in, filter, stride, dilation int) (out, before int, ok bool) {
	eff := (filter-1)*dilation + 1
	switch pad {
	case schema.PaddingSame:
		out = (in + stride - 1) / stride
	case schema.PaddingValid:
		out = (in - eff + stride) / stride
	default:
		return 0, 0, false
	}
	total := (out-1)*stride + eff - in
	if total < 0 {
		total = 0
	}
	return out, total / 2, true
}

type convK struct {
	in, filter, bias, out int
	depthwise             bool
	dtype                 infer.DType
	p                     kernels.ConvParams
	q                     kernels.QuantParams
	actMin, actMax        float32
	// Filters packed once at load; shared read-only by all interpreters.
	pf *kernels.PackedFilter
	pd *kernels.PackedDepthwise
}

func (k *convK) scratch(workers int) int {
	size := 4
	if is8bit(k.dtype) {
		size = 1
	}
	if k.depthwise {
		return kernels.DepthwiseScratchSize(&k.p, size, workers)
	}
	return kernels.ConvScratchSize(&k.p, size, workers)
}

func (k *convK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		if k.depthwise {
			kernels.DepthwiseFloat32(&k.p, asF32(in), asF32(x.bufs[k.filter]), asF32(x.buf(k.bias)), asF32(out), k.actMin, k.actMax, x.scratch, x.pool)
		} else {
			kernels.ConvFloat32Packed(&k.p, asF32(in), k.pf, asF32(out), k.actMin, k.actMax, x.scratch, x.pool)
		}
	case infer.UInt8:
		if k.depthwise {
			kernels.DepthwiseUint8Packed(&k.p, in, k.pd, out, x.scratch, x.pool)
		} else {
			kernels.ConvUint8Packed(&k.p, in, k.pf, out, x.scratch, x.pool)
		}
	case infer.Int8:
		if k.depthwise {
			kernels.DepthwiseInt8Packed(&k.p, as8[int8](in), k.pd, as8[int8](out), x.scratch, x.pool)
		} else {
			kernels.ConvInt8Packed(&k.p, as8[int8](in), k.pf, as8[int8](out), x.scratch, x.pool)
		}
	}
}

// pack packs the constant filter and bias for the kernels.
func (k *convK) pack(filter, bias *tensorPlan) {
	var b []byte
	if bias != nil {
		b = bias.konst
	}
	kk := k.p.KH * k.p.KW * k.p.InC
	switch {
	case k.dtype == infer.Float32 && !k.depthwise:
		k.pf = kernels.PackConvFloat32(k.p.OutC, kk, asF32(filter.konst), asF32(b))
	case k.dtype == infer.UInt8 && k.depthwise:
		k.pd = kernels.PackDepthwiseUint8(&k.p, filter.konst, asI32(b), &k.q)
	case k.dtype == infer.UInt8:
		k.pf = kernels.PackConvUint8(k.p.OutC, kk, filter.konst, asI32(b), &k.q)
	case k.dtype == infer.Int8 && k.depthwise:
		k.pd = kernels.PackDepthwiseInt8(&k.p, as8[int8](filter.konst), asI32(b), &k.q)
	case k.dtype == infer.Int8:
		k.pf = kernels.PackConvInt8(k.p.OutC, kk, as8[int8](filter.konst), asI32(b), &k.q)
	}
}

// convQuant computes the requantization of CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED as TFLite's PopulateConvolutionQuantizationParams does.
//
// The scale product is taken in float32 (GetQuantizedConvolutionMultipler)
// for uint8 and for per-tensor FULLY_CONNECTED, in float64 otherwise.
func (p *prep) convQuant(in, filter, bias, out *tensorPlan, outC int, act kernels.Activation, halfUp, fc bool) (kernels.QuantParams, error) {
	var q kernels.QuantParams
	for _, t := range []*tensorPlan{in, filter, out} {
		if err := p.needQuant(t, "quantized"); err != nil {
			return q, err
		}
	}
	q.InputOffset = -in.zp
	q.OutputOffset = out.zp
	fq := filter.quant
	switch in.dtype {
	case infer.UInt8:
		if len(fq.Scale) != 1 {
			return q, p.unsupported("uint8 filter %q has %d scales; uint8 needs per-tensor quantization", filter.name, len(fq.Scale))
		}
		q.FilterOffset = -filter.zp
		// GetQuantizedConvolutionMultipler: the scale product in float32.
		real := float64(in.scale*filter.scale) / float64(out.scale)
		m, s := kernels.QuantizeMultiplier(real)
		q.Multiplier, q.Shift = []int32{m}, []int{s}
	case infer.Int8:
		for _, z := range fq.ZeroPoint {
			if z != 0 {
				return q, p.unsupported("int8 filter %q has zero point %d; TFLite requires 0", filter.name, z)
			}
		}
		n := len(fq.Scale)
		if n != 1 && n != outC {
			return q, p.bad("filter %q has %d scales for %d output channels", filter.name, n, outC)
		}
		if fc && n == 1 {
			m, s := kernels.QuantizeMultiplier(float64(in.scale*filter.scale) / float64(out.scale))
			q.Multiplier, q.Shift, q.HalfUp = []int32{m}, []int{s}, halfUp
			break
		}
		q.Multiplier, q.Shift = make([]int32, n), make([]int, n)
		for c := 0; c < n; c++ {
			if !(fq.Scale[c] >= 0) {
				return q, p.bad("filter %q scale[%d] = %g", filter.name, c, fq.Scale[c])
			}
			real := float64(in.scale) * float64(fq.Scale[c]) / float64(out.scale)
			q.Multiplier[c], q.Shift[c] = kernels.QuantizeMultiplier(real)
		}
		q.HalfUp = halfUp
	}
	q.ActMin, q.ActMax = quantRange(act, out)
	lo, hi := limits8(out.dtype)
	if err := kernels.CheckQuant(&q, outC, lo, hi); err != nil {
		return q, p.unsupported("%v", err)
	}
	return q, nil
}

// checkConvTypes checks input, filter, bias and output dtypes agree.
func (p *prep) checkConvTypes(in, filter, bias *tensorPlan) error {
	switch in.dtype {
	case infer.Float32, infer.UInt8, infer.Int8:
	case infer.Int16:
		return p.check16x8Types(filter, bias)
	default:
		return p.unsupported("input is %s; supported: float32, uint8, int8, int16 (16x8)", in.dtype)
	}
	if filter.dtype != in.dtype {
		return p.unsupported("filter %q is %s with %s input (hybrid models are not supported)", filter.name, filter.dtype, in.dtype)
	}
	if !filter.isConst() {
		return p.unsupported("filter %q is not a constant", filter.name)
	}
	if bias != nil {
		if !bias.isConst() {
			return p.unsupported("bias %q is not a constant", bias.name)
		}
		want := infer.Int32
		if in.dtype == infer.Float32 {
			want = infer.Float32
		}
		if bias.dtype != want {
			return p.unsupported("bias %q is %s; want %s", bias.name, bias.dtype, want)
		}
	}
	return nil
}

func (p *prep) prepConv(depthwise bool) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	ifl, filter, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	ib, bias, err := p.optInput(2)
	if err != nil {
		return nil, 0, err
	}
	hybrid := isHybrid(in, filter)
	if hybrid {
		if err := p.checkHybridTypes(filter, bias); err != nil {
			return nil, 0, err
		}
	} else if err := p.checkConvTypes(in, filter, bias); err != nil {
		return nil, 0, err
	}
	if len(in.shape) != 4 || len(filter.shape) != 4 {
		return nil, 0, p.bad("input %s and filter %s must be 4-D", shapeString(in.shape), shapeString(filter.shape))
	}
	var pad schema.Padding
	var sh, sw, dh, dw, dm int
	var act schema.Activation
	if depthwise {
		o, err := options[schema.DepthwiseConv2DOptions](p)
		if err != nil {
			return nil, 0, p.bad("DEPTHWISE_CONV_2D without options")
		}
		pad, sh, sw, dh, dw, dm, act = o.Padding, int(o.StrideH), int(o.StrideW), int(o.DilationH), int(o.DilationW), int(o.DepthMultiplier), o.Activation
	} else {
		o, err := options[schema.Conv2DOptions](p)
		if err != nil {
			return nil, 0, p.bad("CONV_2D without options")
		}
		pad, sh, sw, dh, dw, act = o.Padding, int(o.StrideH), int(o.StrideW), int(o.DilationH), int(o.DilationW), o.Activation
	}
	dh, dw = max(dh, 1), max(dw, 1)
	if sh < 1 || sw < 1 {
		return nil, 0, p.bad("stride %dx%d must be positive", sh, sw)
	}
	ka, err := p.activation(act)
	if err != nil {
		return nil, 0, err
	}
	cp := kernels.ConvParams{
		N: in.shape[0], InH: in.shape[1], InW: in.shape[2], InC: in.shape[3],
		KH: filter.shape[1], KW: filter.shape[2],
		StrideH: sh, StrideW: sw, DilationH: dh, DilationW: dw,
	}
	if depthwise {
		if filter.shape[0] != 1 {
			return nil, 0, p.bad("depthwise filter %s must have 1 as first dimension", shapeString(filter.shape))
		}
		cp.OutC = filter.shape[3]
		if cp.InC == 0 || cp.OutC%cp.InC != 0 {
			return nil, 0, p.bad("depthwise filter has %d channels, not a multiple of the input's %d", cp.OutC, cp.InC)
		}
		cp.DepthMultiplier = cp.OutC / cp.InC
		if dm != 0 && dm != cp.DepthMultiplier {
			return nil, 0, p.bad("depth_multiplier %d but filter/input channels give %d", dm, cp.DepthMultiplier)
		}
	} else {
		cp.OutC = filter.shape[0]
		if filter.shape[3] != cp.InC {
			return nil, 0, p.unsupported("filter has %d input channels, input has %d (grouped convolution is not supported)", filter.shape[3], cp.InC)
		}
	}
	var ok bool
	var outH, outW int
	if outH, cp.PadTop, ok = computePadding(pad, cp.InH, cp.KH, sh, dh); !ok {
		return nil, 0, p.bad("unknown padding %d", pad)
	}
	outW, cp.PadLeft, _ = computePadding(pad, cp.InW, cp.KW, sw, dw)
	if outH <= 0 || outW <= 0 {
		return nil, 0, p.bad("filter %dx%d does not fit the %dx%d input", cp.KH, cp.KW, cp.InH, cp.InW)
	}
	cp.OutH, cp.OutW = outH, outW
	if err := kernels.CheckConv(&cp, depthwise); err != nil {
		return nil, 0, p.bad("%v", err)
	}
	if bias != nil {
		if n, _ := numElements(bias.shape); n != cp.OutC {
			return nil, 0, p.bad("bias %q has %d elements for %d output channels", bias.name, n, cp.OutC)
		}
	}
	iout, out, err := p.output(0, in.dtype, []int{cp.N, outH, outW, cp.OutC})
	if err != nil {
		return nil, 0, err
	}
	macs := int64(cp.N) * int64(outH) * int64(outW) * int64(cp.OutC) * int64(cp.KH) * int64(cp.KW)
	if !depthwise {
		macs *= int64(cp.InC)
	}
	if hybrid {
		hk, err := p.hybridConv(cp, depthwise, iin, in, filter, bias, iout, ka)
		return hk, macs, err
	}
	if in.dtype == infer.Int16 {
		k16, err := p.conv16(cp, depthwise, iin, in, filter, bias, iout, out, ka)
		return k16, macs, err
	}
	k := &convK{in: iin, filter: ifl, bias: ib, out: iout, depthwise: depthwise, dtype: in.dtype, p: cp}
	if in.dtype == infer.Float32 {
		k.actMin, k.actMax = kernels.FloatActivationRange(ka)
	} else {
		halfUp := halfUpConvInt8
		if depthwise {
			halfUp = halfUpDepthwiseInt8
		}
		if k.q, err = p.convQuant(in, filter, bias, out, cp.OutC, ka, halfUp, false); err != nil {
			return nil, 0, err
		}
	}
	k.pack(filter, bias)
	return k, macs, nil
}

type fcK struct {
	in, w, bias, out           int
	dtype                      infer.DType
	batches, inDepth, outDepth int
	q                          kernels.QuantParams
	actMin, actMax             float32
	pf                         *kernels.PackedFilter
}

func (k *fcK) scratch(workers int) int {
	size := 4
	if is8bit(k.dtype) {
		size = 1
	}
	return kernels.FullyConnectedScratchSize(k.batches, k.inDepth, k.outDepth, size, workers)
}

func (k *fcK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		kernels.FullyConnectedFloat32Packed(k.batches, asF32(in), k.pf, asF32(out), k.actMin, k.actMax, x.scratch, x.pool)
	case infer.UInt8:
		kernels.FullyConnectedUint8Packed(k.batches, in, k.pf, out, x.scratch, x.pool)
	case infer.Int8:
		kernels.FullyConnectedInt8Packed(k.batches, as8[int8](in), k.pf, as8[int8](out), x.scratch, x.pool)
	}
}

func (k *fcK) pack(w, bias *tensorPlan) {
	var b []byte
	if bias != nil {
		b = bias.konst
	}
	switch k.dtype {
	case infer.Float32:
		k.pf = kernels.PackConvFloat32(k.outDepth, k.inDepth, asF32(w.konst), asF32(b))
	case infer.UInt8:
		k.pf = kernels.PackConvUint8(k.outDepth, k.inDepth, w.konst, asI32(b), &k.q)
	case infer.Int8:
		k.pf = kernels.PackConvInt8(k.outDepth, k.inDepth, as8[int8](w.konst), asI32(b), &k.q)
	}
}

func (p *prep) prepFullyConnected() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	iw, w, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	ib, bias, err := p.optInput(2)
	if err != nil {
		return nil, 0, err
	}
	hybrid := isHybrid(in, w)
	if hybrid {
		if err := p.checkHybridTypes(w, bias); err != nil {
			return nil, 0, err
		}
	} else if err := p.checkConvTypes(in, w, bias); err != nil {
		return nil, 0, err
	}
	o, err := options[schema.FullyConnectedOptions](p)
	if err != nil {
		o = &schema.FullyConnectedOptions{}
	}
	if o.WeightsFormat != 0 {
		return nil, 0, p.unsupported("shuffled weights format %d", o.WeightsFormat)
	}
	ka, err := p.activation(o.Activation)
	if err != nil {
		return nil, 0, err
	}
	if len(w.shape) != 2 {
		return nil, 0, p.bad("weights %s must be 2-D", shapeString(w.shape))
	}
	units, depth := w.shape[0], w.shape[1]
	n, _ := numElements(in.shape)
	if depth == 0 || n%depth != 0 {
		return nil, 0, p.bad("input %s does not divide into rows of %d", shapeString(in.shape), depth)
	}
	batches := n / depth
	shape := []int{batches, units}
	if o.KeepNumDims {
		shape = append(append([]int(nil), in.shape[:len(in.shape)-1]...), units)
	}
	if bias != nil {
		if bn, _ := numElements(bias.shape); bn != units {
			return nil, 0, p.bad("bias %q has %d elements for %d units", bias.name, bn, units)
		}
	}
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if hybrid {
		hk, err := p.hybridFC(iin, w, bias, iout, batches, depth, units, ka, o.AsymmetricQuantizeInputs)
		return hk, int64(batches) * int64(units) * int64(depth), err
	}
	if in.dtype == infer.Int16 {
		k16, err := p.fc16(iin, in, w, bias, iout, out, batches, depth, units, ka)
		return k16, int64(batches) * int64(units) * int64(depth), err
	}
	k := &fcK{in: iin, w: iw, bias: ib, out: iout, dtype: in.dtype, batches: batches, inDepth: depth, outDepth: units}
	if in.dtype == infer.Float32 {
		k.actMin, k.actMax = kernels.FloatActivationRange(ka)
	} else if k.q, err = p.convQuant(in, w, bias, out, units, ka, halfUpFCInt8, true); err != nil {
		return nil, 0, err
	}
	k.pack(w, bias)
	return k, int64(batches) * int64(units) * int64(depth), nil
}
