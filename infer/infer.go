// Package infer defines what Fovea needs from a model runtime: load a
// model, create interpreters, fill input tensors, invoke, read outputs, and
// turn an image into top-k labels (Classifier).
//
// Runtimes register as engines. The default engine, "go", is Fovea's own
// pure-Go TFLite interpreter (package infer/tflite); "tflite_c" wraps the
// TensorFlow Lite C library and exists only in builds with the tflite_c
// tag. Programs import the engines they want for their side effects:
//
//	import _ "github.com/fovea-edge/fovea/infer/tflite"
package infer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"github.com/fovea-edge/fovea/infer/modelerr"
	"github.com/fovea-edge/fovea/internal/base/registry"
)

// DType is a tensor element type.
type DType int

// The element types Fovea knows. Values are Fovea's own, not TFLite's.
const (
	Unknown DType = iota
	Float32
	UInt8
	Int8
	Int16
	Int32
	Int64
	Bool
	Float16
)

var dtypeNames = [...]string{"unknown", "float32", "uint8", "int8", "int16", "int32", "int64", "bool", "float16"}
var dtypeSizes = [...]int{0, 4, 1, 1, 2, 4, 8, 1, 2}

func (d DType) String() string {
	if d < 0 || int(d) >= len(dtypeNames) {
		return fmt.Sprintf("dtype(%d)", int(d))
	}
	return dtypeNames[d]
}

// Size is the size of one element in bytes (0 for Unknown).
func (d DType) Size() int {
	if d < 0 || int(d) >= len(dtypeSizes) {
		return 0
	}
	return dtypeSizes[d]
}

// Quant holds affine quantization: real = Scale * (q - ZeroPoint). One
// element per tensor, or one per channel along Axis.
type Quant struct {
	Scale     []float32
	ZeroPoint []int64
	Axis      int
}

// Quantized reports whether the tensor carries quantization parameters.
func (q Quant) Quantized() bool { return len(q.Scale) > 0 }

// TensorInfo describes a tensor.
type TensorInfo struct {
	Name  string
	Type  DType
	Shape []int
	Quant Quant
}

// NumElements is the product of the shape.
func (ti TensorInfo) NumElements() int {
	n := 1
	for _, d := range ti.Shape {
		n *= d
	}
	return n
}

// ByteSize is the number of bytes the tensor occupies.
func (ti TensorInfo) ByteSize() int { return ti.NumElements() * ti.Type.Size() }

// Tensor is a typed view of an interpreter's tensor. Data aliases the
// interpreter's memory: writes to an input are seen by the next Invoke, and
// an output's bytes are valid until the next Invoke.
type Tensor struct {
	TensorInfo
	Data []byte
}

// Float32s views Data as float32 values (little-endian host order).
func (t *Tensor) Float32s() []float32 {
	if t.Type != Float32 || len(t.Data) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), len(t.Data)/4)
}

// Int8s views Data as int8 values.
func (t *Tensor) Int8s() []int8 {
	if t.Type != Int8 || len(t.Data) == 0 {
		return nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&t.Data[0])), len(t.Data))
}

// Uint8s returns Data for a uint8 tensor.
func (t *Tensor) Uint8s() []uint8 {
	if t.Type != UInt8 {
		return nil
	}
	return t.Data
}

// OpCount is how often an operator occurs in a model.
type OpCount struct {
	Op    string
	Count int
}

// ModelInfo summarises a loaded model.
type ModelInfo struct {
	Name        string // from metadata, else the file stem
	Version     string // from metadata when present
	Description string
	SHA256      string // of the model file bytes
	Inputs      []TensorInfo
	Outputs     []TensorInfo
	Labels      []string // embedded labels (TFLite metadata), may be nil
	Ops         []OpCount
	MACs        int64 // multiply-accumulates per Invoke
	ArenaBytes  int64 // tensor memory the interpreter plans
	// Normalization for float inputs from the model metadata: value =
	// (pixel - Mean[c]) / Std[c]. Empty when the model says nothing.
	Mean, Std []float32
}

// Model is a loaded, validated model. It is safe for concurrent use;
// interpreters are not.
type Model interface {
	Info() ModelInfo
	// NewInterpreter plans memory and prepares every operator. Each
	// interpreter owns its tensors; use one per goroutine.
	NewInterpreter(opts InterpreterOptions) (Interpreter, error)
}

// InterpreterOptions tune execution.
type InterpreterOptions struct {
	// Threads is the number of workers for the heavy operators; 0 or 1
	// runs everything on the calling goroutine.
	Threads int
	// Keep names intermediate tensors (for example a classifier's
	// penultimate feature vector) whose values must survive until the next
	// Invoke, readable through TensorReader.Tensor. An unknown or constant
	// name is an error.
	Keep []string
}

// TensorReader is implemented by interpreters that expose named tensors:
// the graph inputs and outputs and every tensor named in
// InterpreterOptions.Keep. The returned tensor aliases the interpreter's
// memory and is valid until the next Invoke.
type TensorReader interface {
	Tensor(name string) (*Tensor, bool)
}

// Interpreter runs a model. Not safe for concurrent use.
type Interpreter interface {
	Inputs() []*Tensor
	Outputs() []*Tensor
	// Invoke runs the graph once. It does not allocate after the first call.
	Invoke(ctx context.Context) error
	// Close stops the interpreter's workers and releases its memory. The
	// interpreter must not be used afterwards.
	Close() error
}

// LoadOptions select and configure the engine.
type LoadOptions struct {
	// Engine names a registered engine; "" means DefaultEngine.
	Engine string
	// Name overrides the model name (defaults to metadata, then file stem).
	Name string
}

// DefaultEngine is the pure-Go interpreter.
const DefaultEngine = "go"

// Engine loads models of one runtime.
type Engine interface {
	Load(data []byte, opts LoadOptions) (Model, error)
}

// The error kinds of model loading, defined in the leaf package modelerr
// (so the FlatBuffer parser need not import this package).
var (
	// ErrUnavailable is returned for an engine that was not compiled into
	// this binary (for example tflite_c without the tflite_c build tag).
	ErrUnavailable = modelerr.ErrUnavailable
	// ErrUnsupported marks a model that uses an operator, option or data
	// type the engine does not implement.
	ErrUnsupported = modelerr.ErrUnsupported
	// ErrMalformed marks a model file that is not a valid TFLite model.
	ErrMalformed = modelerr.ErrMalformed
)

var (
	engines = registry.New[Engine]("inference engine")
	absent  = registry.New[string]("absent inference engine")
)

// Register makes an engine available by name. It panics on duplicates.
func Register(name string, e Engine) { engines.Register(name, e) }

// RegisterAbsent records that engine name exists but is not in this
// binary, and what it takes to get it (a build tag, a library), for the
// error Load returns when a configuration names it. Engines that need a
// C library call it from a file built without their tag. It panics on
// duplicates.
func RegisterAbsent(name, howToGet string) { absent.Register(name, howToGet) }

// Engines lists the registered engine names, sorted.
func Engines() []string { return engines.Names() }

// Load loads a model from its bytes with the chosen engine.
func Load(data []byte, opts LoadOptions) (Model, error) {
	name := opts.Engine
	if name == "" {
		name = DefaultEngine
	}
	e, ok := engines.Lookup(name)
	if !ok {
		hint := ""
		if how, ok := absent.Lookup(name); ok {
			hint = "; " + how
		}
		return nil, fmt.Errorf("infer.Load: engine %q: %w (available: %s)%s", name, ErrUnavailable, strings.Join(Engines(), ", "), hint)
	}
	m, err := e.Load(data, opts)
	if err != nil {
		return nil, fmt.Errorf("infer.Load: %w", err)
	}
	return m, nil
}

// Open reads and loads a model file.
func Open(path string, opts LoadOptions) (Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infer.Open: %w", err)
	}
	if opts.Name == "" {
		opts.Name = stem(path)
	}
	m, err := Load(data, opts)
	if err != nil {
		return nil, fmt.Errorf("infer.Open %s: %w", path, err)
	}
	return m, nil
}

// SHA256 returns the hex sha256 of data, the identity of a model file.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func stem(path string) string {
	base := path
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	return strings.TrimSuffix(base, ".tflite")
}
