//go:build !(tflite_c && cgo)

package tflitec

import "github.com/fovea-edge/fovea/infer"

// Without the tflite_c tag (or without cgo) the engine is absent; a
// configuration that names it is told how to get it.
func init() {
	const how = "it needs a build with -tags tflite_c (and cgo) and the TensorFlow Lite C library, see docs/tflite-c.md"
	infer.RegisterAbsent(EngineName, how)
	infer.RegisterAbsent(EngineName+"_builtin", how)
}
