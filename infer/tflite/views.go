package tflite

import (
	"math"
	"unsafe"

	"github.com/fovea-edge/fovea/infer"
)

// More typed views of tensor bytes; like asF32 they never allocate.

func asU16(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}

func asI16(b []byte) []int16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*int16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}

func asU32(b []byte) []uint32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

func asU64(b []byte) []uint64 {
	if len(b) < 8 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
}

func asI64(b []byte) []int64 {
	if len(b) < 8 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
}

// anyDType accepts any tensor type with a fixed element size (for the
// operators that only move elements), with quantization for 8-bit ones.
func (p *prep) anyDType(t *tensorPlan, what string) error {
	switch t.dtype {
	case infer.Float32, infer.Int32, infer.Int64, infer.Int16, infer.Bool, infer.Float16:
		return nil
	case infer.UInt8, infer.Int8:
		return p.needQuant(t, what)
	}
	return p.unsupported("%s %q is %s", what, t.name, t.dtype)
}

// scalarInt reads a constant integer tensor holding exactly one value.
func (p *prep) scalarInt(i int, what string) (int, error) {
	_, t, err := p.input(i)
	if err != nil {
		return 0, err
	}
	v, err := p.constInts(t, what)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, p.bad("%s must hold one value, has %d", what, len(v))
	}
	return v[0], nil
}

// resolveAxis maps a possibly negative axis into [0, rank).
func (p *prep) resolveAxis(a, rank int) (int, error) {
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return 0, p.bad("axis %d out of range for rank %d", a, rank)
	}
	return a, nil
}

func roundHalfAwayF32(x float32) float32 {
	return float32(math.Round(float64(x)))
}

func floorF32(x float32) float32 {
	return float32(math.Floor(float64(x)))
}
