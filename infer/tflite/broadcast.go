package tflite

import "github.com/fovea-edge/fovea/infer/tflite/kernels"

// broadcast prepares an elementwise op over shapes a and b of any rank up
// to 6 (NumPy broadcasting, as TFLite's 6-D broadcast kernels allow):
// adjacent axes that broadcast the same way are merged, which brings every
// such pair of shapes to at most 4 axes for kernels.Broadcast4. It returns
// the iteration and the full output shape; ok is false when the shapes do
// not broadcast or more than 4 distinct axis groups remain.
func broadcast(a, b []int) (kernels.Broadcast4, []int, bool) {
	if len(a) <= 4 && len(b) <= 4 {
		return kernels.MakeBroadcast4(a, b)
	}
	if len(a) > 6 || len(b) > 6 {
		return kernels.Broadcast4{}, nil, false
	}
	rank := max(len(a), len(b))
	pad := func(s []int) []int {
		p := make([]int, rank)
		for i := range p {
			p[i] = 1
		}
		copy(p[rank-len(s):], s)
		return p
	}
	pa, pb := pad(a), pad(b)
	out := make([]int, rank)
	// kind: 0 both 1, 1 equal, 2 a broadcast, 3 b broadcast.
	var ca, cb []int
	lastKind := -1
	for i := range rank {
		x, y := pa[i], pb[i]
		var kind int
		switch {
		case x == 1 && y == 1:
			kind = 0
		case x == y:
			kind = 1
		case x == 1:
			kind = 2
		case y == 1:
			kind = 3
		default:
			return kernels.Broadcast4{}, nil, false
		}
		out[i] = max(x, y)
		if kind == 0 {
			continue // size-1 axes change nothing
		}
		if kind == lastKind {
			ca[len(ca)-1] *= x
			cb[len(cb)-1] *= y
			continue
		}
		ca, cb, lastKind = append(ca, x), append(cb, y), kind
	}
	if len(ca) > 4 {
		return kernels.Broadcast4{}, nil, false
	}
	bc, _, ok := kernels.MakeBroadcast4(ca, cb)
	return bc, out, ok
}
