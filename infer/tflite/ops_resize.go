package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpResizeBilinear] = (*prep).prepResizeBilinear
}

type resizeK struct {
	in, out int
	dtype   infer.DType
	p       kernels.ResizeParams
}

func (k *resizeK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		kernels.ResizeBilinearFloat32(&k.p, asF32(in), asF32(out))
	case infer.UInt8:
		kernels.ResizeBilinearUint8(&k.p, in, out)
	case infer.Int8:
		kernels.ResizeBilinearInteger(&k.p, as8[int8](in), as8[int8](out))
	case infer.Int16:
		kernels.ResizeBilinearInteger(&k.p, asI16(in), asI16(out))
	}
}

// prepResizeBilinear: RESIZE_BILINEAR(input, size) of a 4-D NHWC tensor,
// as TFLite's built-in kernels compute it (float and uint8 optimized,
// int8/int16 integer).
func (p *prep) prepResizeBilinear() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if in.dtype != infer.Int16 {
		if err := p.checkDType(in, "input"); err != nil {
			return nil, 0, err
		}
	} else if err := p.needQuant(in, "input"); err != nil {
		return nil, 0, err
	}
	_, st, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	size, err := p.constInts(st, "size")
	if err != nil {
		return nil, 0, err
	}
	if len(in.shape) != 4 || len(size) != 2 || size[0] < 1 || size[1] < 1 {
		return nil, 0, p.bad("input %s and size %v (want 4-D NHWC and 2 positive sizes)", shapeString(in.shape), size)
	}
	o, _ := options[schema.ResizeBilinearOptions](p)
	if o == nil {
		o = &schema.ResizeBilinearOptions{}
	}
	if o.AlignCorners && o.HalfPixelCenters {
		return nil, 0, p.bad("align_corners and half_pixel_centers are both set")
	}
	kp := kernels.ResizeParams{N: in.shape[0], H: in.shape[1], W: in.shape[2], C: in.shape[3], OH: size[0], OW: size[1],
		AlignCorners: o.AlignCorners, HalfPixel: o.HalfPixelCenters}
	if in.dtype == infer.UInt8 && o.HalfPixelCenters && kp.C%8 == 0 && kp.OH >= 8 && kp.OW >= 8 &&
		kp.OH == 8*kp.H && kp.OW == 8*kp.W {
		return nil, 0, p.unsupported("uint8 RESIZE_BILINEAR by exactly 8× with half_pixel_centers uses TFLite's 8.8 fixed-point kernel, which is not implemented")
	}
	iout, _, err := p.output(0, in.dtype, []int{kp.N, kp.OH, kp.OW, kp.C})
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return nil, 0, err
	}
	n := int64(kp.N) * int64(kp.OH) * int64(kp.OW) * int64(kp.C) * 4
	return &resizeK{in: iin, out: iout, dtype: in.dtype, p: kp}, n, nil
}
