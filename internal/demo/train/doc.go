// Package train trains Fovea's demo model, a small CNN that classifies the
// synthetic shapes scene (package internal/shapes), in pure Go, then
// quantizes it to full-integer int8 with TensorFlow Lite's conventions and
// exports it as a .tflite file.
//
// # Training
//
// Four stride-2 3×3 convolutions with ReLU (SAME padding), a global average
// pool and a fully connected layer, trained with Adam on frames rendered on
// the fly. Everything runs on the calling goroutine in a fixed order, so a
// seed determines the weights bit for bit on a given architecture (the Go
// compiler may fuse multiply-adds on arm64, so other architectures can
// differ in the last bits).
//
// # Quantization
//
// Post-training full-integer quantization as the TFLite converter does it:
// per-channel symmetric int8 convolution weights (zero point 0, scale
// max|w|/127 per output channel, quantized dimension 0), a per-tensor
// symmetric int8 fully connected weight, int32 biases with scale
// input_scale·weight_scale, asymmetric int8 activations whose ranges are
// calibrated on rendered frames (min/max widened to include 0, zero point
// nudged to an integer), an int8 input with scale 1/255 and zero point −128
// (q = pixel − 128) and an int8 softmax output with scale 1/256 and zero
// point −128.
package train
