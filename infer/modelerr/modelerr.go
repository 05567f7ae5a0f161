// Package modelerr holds the error kinds every model loader reports, so
// that the FlatBuffer parser (infer/tflite/schema) and the engines can use
// them without importing package infer. Package infer re-exports them;
// errors.Is matches either name.
package modelerr

import "errors"

var (
	// ErrUnavailable is returned for an engine that was not compiled into
	// this binary (for example tflite_c without the tflite_c build tag).
	ErrUnavailable = errors.New("inference engine not included in this build")
	// ErrUnsupported marks a model that uses an operator, option or data
	// type the engine does not implement.
	ErrUnsupported = errors.New("unsupported model feature")
	// ErrMalformed marks a model file that is not a valid TFLite model.
	ErrMalformed = errors.New("malformed model")
)
