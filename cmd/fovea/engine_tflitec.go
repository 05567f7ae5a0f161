package main

// The TensorFlow Lite C library engine (model.engine: tflite_c). In builds
// with the tflite_c tag and cgo it registers the engine; in others it
// registers the engine's absence, so that naming it says how to get it.
import _ "github.com/fovea-edge/fovea/infer/tflitec"
