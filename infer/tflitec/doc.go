// Package tflitec is the "tflite_c" inference engine: it runs models with
// the TensorFlow Lite C library (libtensorflowlite_c.so) and its XNNPACK
// delegate, for boards where that library is installed, models Fovea's
// own interpreter refuses, and same-run speed comparisons (make
// bench-native).
//
// The engine exists only in builds with the tflite_c tag and cgo:
//
//	CGO_LDFLAGS=-L/path/to/lib go build -tags tflite_c ./cmd/fovea
//
// `make tflite-c` fetches a prebuilt library (TFLite 2.9 for linux amd64
// and arm64, from the npm package tfjs-tflite-node) into .tflite_c/ and
// `make bench-native` uses it. Programs select the engine with
// model.engine: tflite_c, or --engine tflite_c on the command line. See
// docs/tflite-c.md.
package tflitec

// EngineName is the name the engine registers under.
const EngineName = "tflite_c"
