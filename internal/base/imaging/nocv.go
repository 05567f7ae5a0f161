//go:build !opencv

package imaging

// resizeOpenCV is nil in builds without the opencv tag.
var resizeOpenCV Resizer
