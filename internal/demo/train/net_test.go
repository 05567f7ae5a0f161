package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradients compares the analytic gradient of the loss with central
// differences for every parameter of a small network, in float64 terms of
// the float32 network.
func TestGradients(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		channels []int
	}{
		{"one conv", 8, []int{3}},
		{"two convs", 12, []int{3, 4}},
		{"odd size", 9, []int{2, 3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			n := NewNet(tt.size, 5, tt.channels, rng)
			for _, p := range n.params() {
				for i := range p {
					// Biases positive so most ReLUs are active.
					p[i] += 0.05
				}
			}
			w := newWork(n)
			for i := range w.acts[0] {
				w.acts[0][i] = rng.Float32()
			}
			const label = 2
			g := n.zeroLike()
			n.forward(w)
			n.backward(w, label, g)
			loss := func() float64 {
				n.forward(w)
				return -math.Log(float64(w.probs[label]))
			}
			checked := 0
			for pi, p := range n.params() {
				gp := g.params()[pi]
				for i := range p {
					orig := p[i]
					const h = 2e-3
					p[i] = orig + h
					lp := loss()
					p[i] = orig - h
					lm := loss()
					p[i] = orig
					num := (lp - lm) / (2 * h)
					if diff := math.Abs(num - float64(gp[i])); diff > 2e-3+0.05*math.Abs(num) {
						t.Errorf("param %d[%d]: analytic %.5f, numeric %.5f", pi, i, gp[i], num)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Fatal("no parameters checked")
			}
		})
	}
}
