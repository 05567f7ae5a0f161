//go:build tflite_c && cgo

package tflitec

/*
#cgo LDFLAGS: -ltensorflowlite_c
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The TensorFlow Lite C API (tensorflow/lite/c/c_api.h), declared here so
// that the build needs only the shared library, not TensorFlow's headers.
// The handles are opaque; TfLiteStatus is an int where 0 is ok.
typedef struct TfLiteModel TfLiteModel;
typedef struct TfLiteInterpreterOptions TfLiteInterpreterOptions;
typedef struct TfLiteInterpreter TfLiteInterpreter;
typedef struct TfLiteTensor TfLiteTensor;
typedef struct TfLiteDelegate TfLiteDelegate;
typedef struct { float scale; int32_t zero_point; } foveaQuant;

extern const char* TfLiteVersion(void);
extern TfLiteModel* TfLiteModelCreate(const void* data, size_t size);
extern void TfLiteModelDelete(TfLiteModel* model);
extern TfLiteInterpreterOptions* TfLiteInterpreterOptionsCreate(void);
extern void TfLiteInterpreterOptionsDelete(TfLiteInterpreterOptions* o);
extern void TfLiteInterpreterOptionsSetNumThreads(TfLiteInterpreterOptions* o, int32_t n);
extern void TfLiteInterpreterOptionsAddDelegate(TfLiteInterpreterOptions* o, TfLiteDelegate* d);
extern void TfLiteInterpreterOptionsSetErrorReporter(TfLiteInterpreterOptions* o,
	void (*reporter)(void* user_data, const char* format, va_list args), void* user_data);
extern TfLiteInterpreter* TfLiteInterpreterCreate(const TfLiteModel* m, const TfLiteInterpreterOptions* o);
extern void TfLiteInterpreterDelete(TfLiteInterpreter* i);
extern int32_t TfLiteInterpreterGetInputTensorCount(const TfLiteInterpreter* i);
extern TfLiteTensor* TfLiteInterpreterGetInputTensor(const TfLiteInterpreter* i, int32_t index);
extern int32_t TfLiteInterpreterGetOutputTensorCount(const TfLiteInterpreter* i);
extern const TfLiteTensor* TfLiteInterpreterGetOutputTensor(const TfLiteInterpreter* i, int32_t index);
extern int TfLiteInterpreterAllocateTensors(TfLiteInterpreter* i);
extern int TfLiteInterpreterInvoke(TfLiteInterpreter* i);
extern int TfLiteTensorType(const TfLiteTensor* t);
extern int32_t TfLiteTensorNumDims(const TfLiteTensor* t);
extern int32_t TfLiteTensorDim(const TfLiteTensor* t, int32_t dim);
extern size_t TfLiteTensorByteSize(const TfLiteTensor* t);
extern void* TfLiteTensorData(const TfLiteTensor* t);
extern const char* TfLiteTensorName(const TfLiteTensor* t);
extern foveaQuant TfLiteTensorQuantizationParams(const TfLiteTensor* t);
extern TfLiteDelegate* TfLiteXNNPackDelegateCreate(const void* options);
extern void TfLiteXNNPackDelegateDelete(TfLiteDelegate* d);

// foveaErrors collects the messages TFLite reports for one interpreter.
typedef struct { char buf[2048]; size_t n; } foveaErrors;

static void foveaReport(void* user, const char* format, va_list args) {
	foveaErrors* e = (foveaErrors*)user;
	if (e->n + 2 >= sizeof e->buf) return;
	if (e->n > 0) e->buf[e->n++] = ';', e->buf[e->n++] = ' ';
	int k = vsnprintf(e->buf + e->n, sizeof e->buf - e->n, format, args);
	if (k > 0) e->n += (size_t)k < sizeof e->buf - e->n ? (size_t)k : sizeof e->buf - e->n - 1;
}

static void foveaSetReporter(TfLiteInterpreterOptions* o, foveaErrors* e) {
	TfLiteInterpreterOptionsSetErrorReporter(o, foveaReport, e);
}

// foveaXNNPack creates the XNNPACK delegate with n threads and 8-bit
// (QS8, QU8) inference on. The options struct has grown over TFLite
// releases, always keeping num_threads (int32) and flags (uint32) first:
// a zeroed buffer larger than any release's struct holds them, and the
// fields a release adds read as zero, their default.
static TfLiteDelegate* foveaXNNPack(int32_t n) {
	uint64_t opts[16];
	memset(opts, 0, sizeof opts);
	int32_t threads = n;
	uint32_t flags = 0x1 | 0x2; // TFLITE_XNNPACK_DELEGATE_FLAG_QS8 | _QU8
	memcpy((char*)opts, &threads, 4);
	memcpy((char*)opts + 4, &flags, 4);
	return TfLiteXNNPackDelegateCreate(opts);
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	infer.Register(EngineName, engine{delegate: true})
	infer.Register(EngineName+"_builtin", engine{})
}

// Version is the TensorFlow Lite version of the linked library.
func Version() string { return C.GoString(C.TfLiteVersion()) }

type engine struct {
	delegate bool // add the XNNPACK delegate
}

// Model is a model loaded by the C library. The model bytes live in C
// memory for the model's lifetime, as TfLiteModelCreate requires.
type Model struct {
	info     infer.ModelInfo
	delegate bool

	mu     sync.Mutex
	model  *C.TfLiteModel
	data   unsafe.Pointer
	active int  // interpreters not yet closed
	closed bool // Close was called
}

func (e engine) Load(data []byte, opts infer.LoadOptions) (infer.Model, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("tflitec.Load: %w: empty model file", infer.ErrMalformed)
	}
	// Fovea's own parser checks the file's structure before the C library
	// sees it, and reads the metadata (name, version, labels).
	sm, err := schema.Parse(data)
	if err != nil && errors.Is(err, infer.ErrMalformed) {
		return nil, fmt.Errorf("tflitec.Load: %w", err)
	}
	m := &Model{delegate: e.delegate}
	m.info = modelInfo(data, sm, opts)
	m.data = C.CBytes(data)
	m.model = C.TfLiteModelCreate(m.data, C.size_t(len(data)))
	if m.model == nil {
		C.free(m.data)
		return nil, fmt.Errorf("tflitec.Load: %w: TensorFlow Lite %s could not build the model (see its log on stderr)", infer.ErrMalformed, Version())
	}
	// A first interpreter reads the tensor types, shapes and quantization,
	// and proves the library can run every operator.
	it, err := m.newInterpreter(1)
	if err != nil {
		m.release()
		return nil, fmt.Errorf("tflitec.Load: %w", err)
	}
	for _, t := range it.inputs {
		m.info.Inputs = append(m.info.Inputs, t.TensorInfo)
	}
	for _, t := range it.outputs {
		m.info.Outputs = append(m.info.Outputs, t.TensorInfo)
	}
	it.Close()
	runtime.SetFinalizer(m, (*Model).release)
	return m, nil
}

// modelInfo fills what the file says about itself; sm is nil when Fovea's
// parser does not know a construct the C library may still run.
func modelInfo(data []byte, sm *schema.Model, opts infer.LoadOptions) infer.ModelInfo {
	info := infer.ModelInfo{Name: opts.Name, SHA256: infer.SHA256(data)}
	if sm == nil {
		return info
	}
	info.Description = sm.Description
	tflite.DescribeFile(&info, data, sm, opts)
	if len(sm.Subgraphs) > 0 {
		counts := map[string]int{}
		var names []string
		for _, op := range sm.Subgraphs[0].Operators {
			name := "?"
			if int(op.OpcodeIndex) < len(sm.OperatorCodes) {
				name = sm.OperatorCodes[op.OpcodeIndex].Name()
			}
			if counts[name] == 0 {
				names = append(names, name)
			}
			counts[name]++
		}
		slices.Sort(names)
		for _, n := range names {
			info.Ops = append(info.Ops, infer.OpCount{Op: n, Count: counts[n]})
		}
	}
	return info
}

// Info describes the model.
func (m *Model) Info() infer.ModelInfo { return m.info }

// NewInterpreter creates an interpreter with opts.Threads threads (the
// library's and XNNPACK's). Keep is not supported: the C API reads only
// the graph's inputs and outputs.
func (m *Model) NewInterpreter(opts infer.InterpreterOptions) (infer.Interpreter, error) {
	if len(opts.Keep) > 0 {
		return nil, fmt.Errorf("tflitec.NewInterpreter: %w: the tflite_c engine cannot keep intermediate tensors (%s); use the go engine", infer.ErrUnsupported, strings.Join(opts.Keep, ", "))
	}
	it, err := m.newInterpreter(max(1, opts.Threads))
	if err != nil {
		return nil, fmt.Errorf("tflitec.NewInterpreter: %w", err)
	}
	return it, nil
}

func (m *Model) newInterpreter(threads int) (*Interpreter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.model == nil {
		return nil, errors.New("model released")
	}
	it := &Interpreter{m: m}
	it.errs = (*C.foveaErrors)(C.calloc(1, C.size_t(unsafe.Sizeof(C.foveaErrors{}))))
	if err := it.create(threads, m.delegate); err != nil && m.delegate {
		// XNNPACK refuses some graphs (uint8 models in older releases) as
		// a whole: run those in the built-in kernels.
		it.Fallback = err.Error()
		it.release()
		if err := it.create(threads, false); err != nil {
			it.free()
			return nil, err
		}
	} else if err != nil {
		it.free()
		return nil, err
	}
	var err error
	if it.inputs, err = tensors(int(C.TfLiteInterpreterGetInputTensorCount(it.interp)), func(i int) *C.TfLiteTensor {
		return C.TfLiteInterpreterGetInputTensor(it.interp, C.int32_t(i))
	}); err == nil {
		it.outputs, err = tensors(int(C.TfLiteInterpreterGetOutputTensorCount(it.interp)), func(i int) *C.TfLiteTensor {
			return (*C.TfLiteTensor)(unsafe.Pointer(C.TfLiteInterpreterGetOutputTensor(it.interp, C.int32_t(i))))
		})
	}
	if err != nil {
		it.free()
		return nil, err
	}
	it.errs.n = 0 // a delegate fallback reports on the way; the model runs
	m.active++
	return it, nil
}

// create makes the interpreter and allocates its tensors, with the
// XNNPACK delegate when delegate is set.
func (it *Interpreter) create(threads int, delegate bool) error {
	it.opts = C.TfLiteInterpreterOptionsCreate()
	C.TfLiteInterpreterOptionsSetNumThreads(it.opts, C.int32_t(threads))
	C.foveaSetReporter(it.opts, it.errs)
	if delegate {
		if it.xnn = C.foveaXNNPack(C.int32_t(threads)); it.xnn == nil {
			return errors.New("the XNNPACK delegate could not be created")
		}
		C.TfLiteInterpreterOptionsAddDelegate(it.opts, it.xnn)
	}
	if it.interp = C.TfLiteInterpreterCreate(it.m.model, it.opts); it.interp == nil {
		return it.failure("creating the interpreter")
	}
	if C.TfLiteInterpreterAllocateTensors(it.interp) != 0 {
		return it.failure("allocating tensors")
	}
	it.XNNPACK = delegate
	return nil
}

// release frees the model once it is unreachable and no interpreter is
// left.
func (m *Model) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.active > 0 || m.model == nil {
		return
	}
	C.TfLiteModelDelete(m.model)
	C.free(m.data)
	m.model, m.data = nil, nil
}

// Interpreter runs the model with the C library. Not safe for concurrent
// use.
type Interpreter struct {
	// XNNPACK tells whether the XNNPACK delegate runs the graph; when the
	// delegate refused it, Fallback says why and the built-in kernels run
	// it.
	XNNPACK  bool
	Fallback string

	m               *Model
	opts            *C.TfLiteInterpreterOptions
	interp          *C.TfLiteInterpreter
	xnn             *C.TfLiteDelegate
	errs            *C.foveaErrors
	inputs, outputs []*infer.Tensor
}

// Backend names what runs the graph: "xnnpack" or "builtin" (TFLite's
// built-in kernels).
func (it *Interpreter) Backend() string {
	if it.XNNPACK {
		return "xnnpack"
	}
	return "builtin"
}

// Inputs returns the input tensors; their Data is the library's memory.
func (it *Interpreter) Inputs() []*infer.Tensor { return it.inputs }

// Outputs returns the output tensors; their Data is the library's memory.
func (it *Interpreter) Outputs() []*infer.Tensor { return it.outputs }

// Invoke runs the graph once.
func (it *Interpreter) Invoke(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if it.interp == nil {
		return errors.New("tflitec.Invoke: interpreter closed")
	}
	if C.TfLiteInterpreterInvoke(it.interp) != 0 {
		return fmt.Errorf("tflitec.Invoke: %w", it.failure("invoking"))
	}
	return nil
}

// Close frees the interpreter; the model is freed with its last one.
func (it *Interpreter) Close() error {
	if it.interp == nil {
		return nil
	}
	it.free()
	m := it.m
	m.mu.Lock()
	m.active--
	done := m.closed && m.active == 0
	m.mu.Unlock()
	if done {
		m.release()
	}
	return nil
}

func (it *Interpreter) free() {
	it.release()
	if it.errs != nil {
		C.free(unsafe.Pointer(it.errs))
		it.errs = nil
	}
	it.inputs, it.outputs = nil, nil
}

// release deletes the interpreter, its delegate and options.
func (it *Interpreter) release() {
	if it.interp != nil {
		C.TfLiteInterpreterDelete(it.interp)
		it.interp = nil
	}
	if it.xnn != nil {
		C.TfLiteXNNPackDelegateDelete(it.xnn)
		it.xnn = nil
	}
	if it.opts != nil {
		C.TfLiteInterpreterOptionsDelete(it.opts)
		it.opts = nil
	}
}

// failure is an error naming what failed and what TensorFlow Lite
// reported.
func (it *Interpreter) failure(what string) error {
	msg := "no message"
	if it.errs != nil && it.errs.n > 0 {
		msg = C.GoStringN(&it.errs.buf[0], C.int(it.errs.n))
		it.errs.n = 0
	}
	return fmt.Errorf("%w: TensorFlow Lite %s failed %s: %s", infer.ErrUnsupported, Version(), what, msg)
}

// dtypes maps TfLiteType to Fovea's types.
var dtypes = map[C.int]infer.DType{1: infer.Float32, 2: infer.Int32, 3: infer.UInt8, 4: infer.Int64, 6: infer.Bool, 7: infer.Int16, 9: infer.Int8, 10: infer.Float16}

// tensors wraps n of the library's tensors; Data aliases their memory,
// which stays put from AllocateTensors until the interpreter is deleted.
func tensors(n int, get func(int) *C.TfLiteTensor) ([]*infer.Tensor, error) {
	out := make([]*infer.Tensor, n)
	for i := range n {
		ct := get(i)
		if ct == nil {
			return nil, fmt.Errorf("tensor %d of %d: not available", i, n)
		}
		dt, ok := dtypes[C.TfLiteTensorType(ct)]
		if !ok {
			return nil, fmt.Errorf("%w: graph tensor %q has TfLiteType %d, which Fovea cannot hand to a caller", infer.ErrUnsupported, C.GoString(C.TfLiteTensorName(ct)), int(C.TfLiteTensorType(ct)))
		}
		t := &infer.Tensor{TensorInfo: infer.TensorInfo{Name: C.GoString(C.TfLiteTensorName(ct)), Type: dt}}
		for d := range int(C.TfLiteTensorNumDims(ct)) {
			t.Shape = append(t.Shape, int(C.TfLiteTensorDim(ct, C.int32_t(d))))
		}
		if q := C.TfLiteTensorQuantizationParams(ct); q.scale != 0 {
			t.Quant = infer.Quant{Scale: []float32{float32(q.scale)}, ZeroPoint: []int64{int64(q.zero_point)}}
		}
		if size := int(C.TfLiteTensorByteSize(ct)); size > 0 {
			if p := C.TfLiteTensorData(ct); p != nil {
				t.Data = unsafe.Slice((*byte)(p), size)
			}
		}
		if len(t.Data) != t.ByteSize() {
			return nil, fmt.Errorf("graph tensor %q: %d bytes for %s%v", t.Name, len(t.Data), t.Type, t.Shape)
		}
		out[i] = t
	}
	return out, nil
}
