package kernels

import (
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPoolSplitsEveryUnitOnce runs jobs of many sizes on pools of several
// sizes and checks every unit ran exactly once, by the worker whose share
// it is.
func TestPoolSplitsEveryUnitOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3, 8} {
		pool := NewPool(workers)
		for _, n := range []int{0, 1, 2, 3, 7, 64, 1001} {
			s := &Scratch{}
			j := s.start(countUnits)
			hits := make([]int32, n)
			j.bias = hits
			pool.run(j, n)
			for u, h := range hits {
				if h != 1 {
					t.Fatalf("NewPool(%d).run(n=%d): unit %d ran %d times; want 1", workers, n, u, h)
				}
			}
		}
		pool.Close()
		pool.Close() // idempotent
		s := &Scratch{}
		j := s.start(countUnits)
		j.bias = make([]int32, 10)
		pool.run(j, 10) // a closed pool runs on the caller
		for u, h := range j.bias {
			if h != 1 {
				t.Fatalf("closed NewPool(%d): unit %d ran %d times; want 1", workers, u, h)
			}
		}
	}
}

// countUnits marks each unit it runs (units are disjoint per worker, so
// no two goroutines write the same element).
func countUnits(j *kernelJob, _, lo, hi int) {
	for u := lo; u < hi; u++ {
		j.bias[u]++
	}
}

func TestPoolWorkers(t *testing.T) {
	var nilPool *Pool
	tests := []struct {
		name string
		p    *Pool
		want int
	}{
		{"nil", nilPool, 1},
		{"zero", NewPool(0), 1},
		{"one", NewPool(1), 1},
		{"four", NewPool(4), 4},
	}
	for _, tt := range tests {
		if got := tt.p.Workers(); got != tt.want {
			t.Errorf("%s: Workers() = %d; want %d", tt.name, got, tt.want)
		}
		tt.p.Close()
	}
}

// TestPoolSharedByGoroutines runs kernels from several goroutines on one
// Pool (each with its own Scratch) and checks every result.
func TestPoolSharedByGoroutines(t *testing.T) {
	pool := NewPool(3)
	defer pool.Close()
	p := geom(1, 12, 12, 8, 16, 3, 3, 1, 1, 1, true)
	r := rand.New(rand.NewPCG(5, 5))
	nq := randQuant(r, p.OutC, 72, true, true, false, false)
	in := randBytes[int8](r, 12*12*8)
	f := randBytes[int8](r, 16*72)
	want := naiveConvQuant(&p, false, in, f, nil, nq)
	pf := PackConvInt8(p.OutC, 72, f, nil, nq.params())
	var wg sync.WaitGroup
	errs := make([]string, 4)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := NewScratch(ConvScratchSize(&p, 1, pool.Workers()))
			got := make([]int8, len(want))
			for range 20 {
				ConvInt8Packed(&p, in, pf, got, s, pool)
				if d := firstDiff(&p, got, want); d != "" {
					errs[g] = d
					return
				}
			}
		}()
	}
	wg.Wait()
	for g, e := range errs {
		if e != "" {
			t.Errorf("goroutine %d: %s", g, e)
		}
	}
}

// TestKernelsDoNotAllocate checks that planned calls allocate nothing,
// with and without helper goroutines.
func TestKernelsDoNotAllocate(t *testing.T) {
	p := geom(1, 16, 16, 8, 24, 3, 3, 1, 1, 1, true)
	dw := geom(1, 16, 16, 8, 8, 3, 3, 2, 1, 1, true)
	forEachPath(t, func(path Path) { kernelsDoNotAllocate(t, path, &p, &dw) })
}

func kernelsDoNotAllocate(t *testing.T, path Path, p, dw *ConvParams) {
	r := rand.New(rand.NewPCG(6, 6))
	q := randQuant(r, 24, 72, true, true, true, false).params()
	in := randBytes[int8](r, 16*16*8)
	out := make([]int8, 16*16*24)
	pf := PackConvInt8(24, 72, randBytes[int8](r, 24*72), nil, q)
	pd := PackDepthwiseInt8(dw, randBytes[int8](r, 9*8), nil, q)
	pfc := PackConvFloat32(24, 72, randFloats(r, 24*72), nil)
	fin, fout := randFloats(r, 16*16*8), make([]float32, 16*16*24)
	for _, workers := range []int{1, 2} {
		pool := NewPool(workers)
		s := NewScratch(max(ConvScratchSize(p, 4, workers), ConvScratchSize(p, 1, workers), DepthwiseScratchSize(dw, 1, workers)))
		calls := []struct {
			name string
			f    func()
		}{
			{"ConvInt8Packed", func() { ConvInt8Packed(p, in, pf, out, s, pool) }},
			{"DepthwiseInt8Packed", func() { DepthwiseInt8Packed(dw, in, pd, out, s, pool) }},
			{"ConvFloat32Packed", func() { ConvFloat32Packed(p, fin, pfc, fout, 0, 6, s, pool) }},
			{"FullyConnectedInt8Packed", func() { FullyConnectedInt8Packed(1, in[:72], pf, out, s, pool) }},
		}
		for _, c := range calls {
			c.f() // grow anything unplanned once
			if n := testing.AllocsPerRun(20, c.f); n != 0 {
				t.Errorf("%s (%v) with %d workers: %v allocations per call; want 0", c.name, path, workers, n)
			}
		}
		pool.Close()
	}
}

func TestCheckConv(t *testing.T) {
	good := geom(1, 8, 8, 4, 8, 3, 3, 1, 1, 1, true)
	tests := []struct {
		name      string
		mod       func(p *ConvParams)
		depthwise bool
		want      string // substring of the error; "" for none
	}{
		{"good", func(*ConvParams) {}, false, ""},
		{"zero stride", func(p *ConvParams) { p.StrideH = 0 }, false, "StrideH = 0"},
		{"negative pad", func(p *ConvParams) { p.PadLeft = -1 }, false, "negative"},
		{"depthwise channels", func(p *ConvParams) { p.OutC = 5 }, true, "InC·DepthMultiplier"},
		{"no depth multiplier", func(p *ConvParams) { p.DepthMultiplier = 0 }, true, "DepthMultiplier = 0"},
		{"huge", func(p *ConvParams) { p.InH, p.InW = 1<<20, 1<<20 }, false, "2^31"},
	}
	for _, tt := range tests {
		p := good
		if tt.depthwise {
			p.OutC = p.InC
		}
		tt.mod(&p)
		err := CheckConv(&p, tt.depthwise)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: CheckConv = %v; want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrConvParams) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckConv = %v; want ErrConvParams mentioning %q", tt.name, err, tt.want)
		}
	}
	p := good
	if err := CheckConvBuffers(&p, false, 10, 10, 3, 10); !errors.Is(err, ErrConvParams) || !strings.Contains(err.Error(), "input has 10") || !strings.Contains(err.Error(), "bias has 3") {
		t.Errorf("CheckConvBuffers(short) = %v; want every short buffer named", err)
	}
}

func TestCheckQuant(t *testing.T) {
	tests := []struct {
		name string
		q    QuantParams
		want string
	}{
		{"good", QuantParams{Multiplier: []int32{1 << 30}, Shift: []int{-3}, ActMin: -128, ActMax: 127}, ""},
		{"per-channel count", QuantParams{Multiplier: []int32{1, 2}, Shift: []int{0, 0}, ActMin: -128, ActMax: 127}, "2 multipliers for 4"},
		{"shift count", QuantParams{Multiplier: []int32{1 << 30}, Shift: nil, ActMin: -128, ActMax: 127}, "0 shifts"},
		{"negative multiplier", QuantParams{Multiplier: []int32{-1}, Shift: []int{0}, ActMin: -128, ActMax: 127}, "negative"},
		{"shift range", QuantParams{Multiplier: []int32{1 << 30}, Shift: []int{31}, ActMin: -128, ActMax: 127}, "Shift[0] = 31"},
		{"act range", QuantParams{Multiplier: []int32{1 << 30}, Shift: []int{0}, ActMin: -129, ActMax: 127}, "activation range"},
	}
	for _, tt := range tests {
		err := CheckQuant(&tt.q, 4, -128, 127)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: CheckQuant = %v; want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrQuantParams) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckQuant = %v; want ErrQuantParams mentioning %q", tt.name, err, tt.want)
		}
	}
}

// TestPoolIdleAndWake runs calls with gaps of every kind between them: none
// (helpers spinning), longer than the spin (helpers sleeping), and longer
// than the sleeps (helpers parked), held and not, and checks every unit
// ran once each time.
func TestPoolIdleAndWake(t *testing.T) {
	gaps := []time.Duration{0, 2 * poolSpin, 0, 100 * time.Millisecond, 0}
	for _, workers := range []int{2, 3} {
		pool := NewPool(workers)
		for _, hold := range []bool{false, true} {
			if hold {
				pool.Hold()
			}
			for i, gap := range gaps {
				time.Sleep(gap)
				s := &Scratch{}
				j := s.start(countUnits)
				j.bias = make([]int32, 100)
				pool.run(j, len(j.bias))
				for u, h := range j.bias {
					if h != 1 {
						t.Fatalf("workers=%d hold=%v call %d (after %v): unit %d ran %d times; want 1", workers, hold, i, gap, u, h)
					}
				}
			}
			if hold {
				pool.Release()
			}
		}
		pool.Close()
	}
}

// TestPoolRunAllocatesNothing: back-to-back calls on a held pool, helpers
// spinning or sleeping in between (what an Invoke does), allocate nothing.
func TestPoolRunAllocatesNothing(t *testing.T) {
	for _, workers := range []int{2, 3} {
		pool := NewPool(workers)
		s := &Scratch{}
		hits := make([]int32, 64)
		call := func() {
			j := s.start(countUnits)
			j.bias = hits
			pool.run(j, len(hits))
		}
		pool.Hold()
		for range 10 {
			call()
		}
		if n := testing.AllocsPerRun(200, call); n != 0 {
			t.Errorf("workers=%d: %v allocations per call; want 0", workers, n)
		}
		if n := testing.AllocsPerRun(5, func() { time.Sleep(2 * poolSpin); call() }); n != 0 {
			t.Errorf("workers=%d, calls %v apart: %v allocations per call; want 0", workers, 2*poolSpin, n)
		}
		pool.Release()
		pool.Close()
	}
}
