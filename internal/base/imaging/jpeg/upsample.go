package jpeg

import "fmt"

// Chroma upsampling as libjpeg-turbo's jdsample.c does it with
// do_fancy_upsampling on (Pillow's default): triangle filters for 2:1
// ratios, replication for other integral ratios. Rows and columns past the
// component's downsampled size repeat its last row and column, as the
// context rows of jdmainct.c do.

// upsampleKind is the method chosen for one component.
type upsampleKind int

const (
	upFull    upsampleKind = iota // same size as the output
	upH2V1                        // fancy 2:1 horizontal
	upH1V2                        // fancy 2:1 vertical
	upH2V2                        // fancy 2:1 both ways
	upReplica                     // integral replication
)

// upsampler produces the full-size rows of one component.
type upsampler struct {
	c      *component
	kind   upsampleKind
	hr, vr int    // expansion factors
	buf    []byte // one output row
}

func newUpsampler(c *component, maxH, maxV int) (*upsampler, error) {
	u := &upsampler{c: c, hr: maxH / c.h, vr: maxV / c.v}
	if maxH%c.h != 0 || maxV%c.v != 0 {
		return nil, fmt.Errorf("%w: fractional sampling ratio %d/%d × %d/%d", ErrUnsupported, maxH, c.h, maxV, c.v)
	}
	switch {
	case u.hr == 1 && u.vr == 1:
		u.kind = upFull
		return u, nil
	case u.hr == 2 && u.vr == 1 && c.dsW > 2:
		u.kind = upH2V1
	case u.hr == 1 && u.vr == 2:
		u.kind = upH1V2
	case u.hr == 2 && u.vr == 2 && c.dsW > 2:
		u.kind = upH2V2
	default:
		u.kind = upReplica
	}
	u.buf = make([]byte, c.dsW*u.hr+8)
	return u, nil
}

// row returns output row y of the component (at least as long as the
// image is wide).
func (u *upsampler) row(y int) []byte {
	c := u.c
	if u.kind == upFull {
		return c.plane[y*c.stride : (y+1)*c.stride]
	}
	cy := y / u.vr
	in := c.plane[cy*c.stride : cy*c.stride+c.dsW]
	out := u.buf
	switch u.kind {
	case upH2V1:
		h2v1(out, in)
	case upH1V2, upH2V2:
		fy := cy - 1
		if y&1 == 1 {
			fy = cy + 1
		}
		fy = min(max(fy, 0), c.dsH-1)
		far := c.plane[fy*c.stride : fy*c.stride+c.dsW]
		if u.kind == upH1V2 {
			// Rounds down for the upper row of a pair, up for the lower.
			bias := 1 + y&1
			for i, v := range in {
				out[i] = byte((3*int(v) + int(far[i]) + bias) >> 2)
			}
		} else {
			h2v2(out, in, far)
		}
	case upReplica:
		for i, v := range in {
			for k := 0; k < u.hr; k++ {
				out[i*u.hr+k] = v
			}
		}
	}
	return out
}

// h2v1 is h2v1_fancy_upsample: each output sample is 3/4 of the nearer
// input and 1/4 of the further, rounding alternately down and up. len(in)
// is at least 3.
func h2v1(out, in []byte) {
	n := len(in)
	out = out[:2*n]
	v := int(in[0])
	out[0] = in[0]
	out[1] = byte((v*3 + int(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v := int(in[i]) * 3
		out[2*i] = byte((v + int(in[i-1]) + 1) >> 2)
		out[2*i+1] = byte((v + int(in[i+1]) + 2) >> 2)
	}
	v = int(in[n-1])
	out[2*n-2] = byte((v*3 + int(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// h2v2 is h2v2_fancy_upsample for one output row: near is the nearer
// input row, far the other one. len(near) is at least 3.
func h2v2(out, near, far []byte) {
	n := len(near)
	out = out[:2*n]
	far = far[:n]
	this := int(near[0])*3 + int(far[0])
	next := int(near[1])*3 + int(far[1])
	out[0] = byte((this*4 + 8) >> 4)
	out[1] = byte((this*3 + next + 7) >> 4)
	last := this
	this = next
	for i := 1; i < n-1; i++ {
		next = int(near[i+1])*3 + int(far[i+1])
		out[2*i] = byte((this*3 + last + 8) >> 4)
		out[2*i+1] = byte((this*3 + next + 7) >> 4)
		last, this = this, next
	}
	out[2*n-2] = byte((this*3 + last + 8) >> 4)
	out[2*n-1] = byte((this*4 + 7) >> 4)
}
