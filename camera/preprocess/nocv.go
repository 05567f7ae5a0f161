//go:build !opencv

package preprocess

// resizeOpenCV is nil in builds without the opencv tag.
var resizeOpenCV ResizeFunc
