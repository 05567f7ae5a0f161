package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestAddFlatLengths runs the flat ADD of every path on lengths 0–70
// (whole SIMD blocks of 8 or 16 elements and every ragged tail) against
// the scalar reference, and checks that nothing past the output is
// written.
func TestAddFlatLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	p := PrepareAdd(0.031, 7, 0.057, -3, 0.049, 11)
	p.ActMin, p.ActMax = -100, 120
	forEachPath(t, func(path Path) {
		for n := range 71 {
			a, b := randBytes[int8](r, n), randBytes[int8](r, n)
			out := make([]int8, n+16)
			for i := range out {
				out[i] = 99
			}
			bc, _, _ := MakeBroadcast4([]int{n}, []int{n})
			AddQuant(&p, &bc, a, b, out[:n], nil, nil)
			for i := range n {
				if want := p.add(int32(a[i]), int32(b[i])); int32(out[i]) != want {
					t.Fatalf("%v n=%d: out[%d] = add(%d, %d) = %d; want %d", path, n, i, a[i], b[i], out[i], want)
				}
			}
			for i := n; i < len(out); i++ {
				if out[i] != 99 {
					t.Fatalf("%v n=%d: wrote out[%d] past the output", path, n, i)
				}
			}
		}
	})
}
