package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fcCase is one FULLY_CONNECTED problem: it is exactly a 1x1 CONV_2D over
// a 1 x batches x 1 x inDepth image, which is how the naive reference
// computes it.
type fcCase struct {
	name                       string
	batches, inDepth, outDepth int
	perChannel, halfUp, relu   bool
}

var fcCases = []fcCase{
	{name: "b1/1280x1001", batches: 1, inDepth: 1280, outDepth: 1001},
	{name: "b1/odd", batches: 1, inDepth: 37, outDepth: 11, perChannel: true, halfUp: true},
	{name: "b3/relu", batches: 3, inDepth: 64, outDepth: 10, relu: true},
	{name: "b5/perchannel", batches: 5, inDepth: 20, outDepth: 33, perChannel: true},
	{name: "b2/halfup", batches: 2, inDepth: 256, outDepth: 7, halfUp: true},
	{name: "b1/1x1", batches: 1, inDepth: 1, outDepth: 1},
}

func (tc fcCase) conv() ConvParams {
	return geom(1, tc.batches, 1, tc.inDepth, tc.outDepth, 1, 1, 1, 1, 1, false)
}

func TestFullyConnectedMatchesNaive(t *testing.T) {
	for i, tc := range fcCases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 3))
			p := tc.conv()
			t.Run("uint8", func(t *testing.T) {
				nq := randQuant(r, tc.outDepth, tc.inDepth, false, false, tc.halfUp, tc.relu)
				in := randBytes[uint8](r, tc.batches*tc.inDepth)
				w := randBytes[uint8](r, tc.outDepth*tc.inDepth)
				bias := randBias(r, tc.outDepth, 3000)
				want := naiveConvQuant(&p, false, in, w, bias, nq)
				checkSpread(t, want)
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2} {
						pool := NewPool(workers)
						got := make([]uint8, len(want))
						FullyConnectedUint8(tc.batches, tc.inDepth, tc.outDepth, in, w, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("FullyConnectedUint8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("int8", func(t *testing.T) {
				nq := randQuant(r, tc.outDepth, tc.inDepth, true, tc.perChannel, tc.halfUp, tc.relu)
				in := randBytes[int8](r, tc.batches*tc.inDepth)
				w := randBytes[int8](r, tc.outDepth*tc.inDepth)
				var bias []int32
				if !tc.relu {
					bias = randBias(r, tc.outDepth, 3000)
				}
				want := naiveConvQuant(&p, false, in, w, bias, nq)
				checkSpread(t, want)
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2} {
						pool := NewPool(workers)
						got := make([]int8, len(want))
						FullyConnectedInt8(tc.batches, tc.inDepth, tc.outDepth, in, w, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("FullyConnectedInt8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("float32", func(t *testing.T) {
				in := randFloats(r, tc.batches*tc.inDepth)
				w := randFloats(r, tc.outDepth*tc.inDepth)
				bias := randFloats(r, tc.outDepth)
				lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
				if tc.relu {
					lo, hi = 0, 6
				}
				want := naiveConvFloat(&p, false, in, w, bias, lo, hi)
				got := make([]float32, len(want))
				FullyConnectedFloat32(tc.batches, tc.inDepth, tc.outDepth, in, w, bias, got, lo, hi, nil, nil)
				checkFloats(t, "FullyConnectedFloat32", got, want, tc.inDepth)
			})
		})
	}
}
