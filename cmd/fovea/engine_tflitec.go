//go:build tflite_c && cgo

package main

// The TensorFlow Lite C library engine (model.engine: tflite_c), in builds
// with the tflite_c tag.
import _ "github.com/fovea-edge/fovea/infer/tflitec"
