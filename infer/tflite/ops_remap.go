package tflite

import (
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

// remapK copies elements of one input into one or more outputs, each
// described by a kernels.Remap (slicing, splitting, broadcasting,
// rearranging, mirror padding, nearest-neighbour resizing).
type remapK struct {
	in   int
	outs []int
	maps []kernels.Remap
	size int // element size in bytes
}

func (k *remapK) run(x *execCtx) {
	in := x.bufs[k.in]
	for i, o := range k.outs {
		remapBytes(&k.maps[i], k.size, in, x.bufs[o])
	}
}

// remapBytes runs a Remap over elements of size bytes.
func remapBytes(r *kernels.Remap, size int, in, out []byte) {
	switch size {
	case 1:
		kernels.RemapCopy(r, in, out)
	case 2:
		kernels.RemapCopy(r, asU16(in), asU16(out))
	case 4:
		kernels.RemapCopy(r, asU32(in), asU32(out))
	case 8:
		kernels.RemapCopy(r, asU64(in), asU64(out))
	}
}

// remapOut declares output i with the input's dtype and the remap's
// shape, requiring the input's quantization, and records the remap.
func (p *prep) remapOut(k *remapK, i int, in *tensorPlan, shape []int, r kernels.Remap) error {
	iout, _, err := p.output(i, in.dtype, shape)
	if err != nil {
		return err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return err
	}
	k.outs = append(k.outs, iout)
	k.maps = append(k.maps, r)
	return nil
}

// stridedRemap is the Remap of a view of a tensor of shape in: per axis a
// start, step and count.
func stridedRemap(in, start, step, n []int) kernels.Remap {
	return kernels.NewRemapStrided(n, start, step, kernels.Strides(in))
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}
