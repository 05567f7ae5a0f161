package tflite

import (
	"fmt"
	"unsafe"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// tensorPlan is what preparation knows about one tensor of subgraph 0.
type tensorPlan struct {
	name  string
	dtype infer.DType
	shape []int // inferred; nil until known
	known bool  // shape is known (graph input, constant, or produced)
	bytes int
	scale float32 // first (per-tensor) scale, 0 when not quantized
	zp    int32   // first zero point
	quant *schema.Quantization
	konst []byte // constant data (aliases the model, or an aligned copy)
	// Arena placement of a non-constant tensor; -1 until planned.
	offset      int
	first, last int // op indices of first write / last read
	used        bool
}

func (t *tensorPlan) isConst() bool { return t.konst != nil }

func (t *tensorPlan) info() infer.TensorInfo {
	ti := infer.TensorInfo{Name: t.name, Type: t.dtype, Shape: append([]int(nil), t.shape...)}
	if q := t.quant; q != nil && len(q.Scale) > 0 {
		ti.Quant = infer.Quant{
			Scale:     append([]float32(nil), q.Scale...),
			ZeroPoint: append([]int64(nil), q.ZeroPoint...),
			Axis:      int(q.QuantizedDimension),
		}
	}
	return ti
}

func dtypeOf(t schema.TensorType) infer.DType {
	switch t {
	case schema.Float32:
		return infer.Float32
	case schema.UInt8:
		return infer.UInt8
	case schema.Int8:
		return infer.Int8
	case schema.Int16:
		return infer.Int16
	case schema.Int32:
		return infer.Int32
	case schema.Int64:
		return infer.Int64
	case schema.Bool:
		return infer.Bool
	case schema.Float16:
		return infer.Float16
	}
	return infer.Unknown
}

// maxTensorBytes caps any one tensor (1 GiB): a model that asks for more is
// refused rather than allocated.
const maxTensorBytes = 1 << 30

// numElements multiplies dims, reporting overflow past maxTensorBytes or a
// negative dimension.
func numElements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > maxTensorBytes/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

func shapeString(s []int) string {
	if len(s) == 0 {
		return "[]"
	}
	b := make([]byte, 0, 4*len(s))
	b = append(b, '[')
	for i, d := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", d)
	}
	return string(append(b, ']'))
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Typed views of tensor bytes. They never allocate.

func asF32(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

func asI32(b []byte) []int32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

func as8[T int8like](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

type int8like interface{ ~int8 | ~uint8 }

// aligned reports whether b starts at a multiple of n bytes.
func aligned(b []byte, n uintptr) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%n == 0
}

// limits8 returns the range of the 8-bit (or int16) dtype.
func limits8(d infer.DType) (int32, int32) {
	switch d {
	case infer.UInt8:
		return kernels.Limits[uint8]()
	case infer.Int16:
		return kernels.Limits[int16]()
	}
	return kernels.Limits[int8]()
}
