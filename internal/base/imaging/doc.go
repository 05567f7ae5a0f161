// Package imaging turns a camera frame into a model input: a bilinear
// resize to the model's input size with conversion to RGB.
//
// # Pillow compatibility
//
// Resize reproduces Pillow's Image.resize(size, Image.BILINEAR), with which
// most published TFLite classifiers were evaluated and with which the
// golden inputs in ../shared/golden were made: a separable triangle filter
// whose support widens by the scale factor when downscaling (so it
// antialiases rather than sampling four pixels), 22-bit fixed-point
// coefficients, a horizontal pass into an 8-bit intermediate image, then a
// vertical pass. JPEG frames (*image.YCbCr) are converted to RGB the way
// libjpeg-turbo does it (fancy chroma upsampling, its fixed-point colour
// tables), which is what Pillow's decoder gives.
//
// # OpenCV
//
// Built with the opencv tag, ResizeOpenCV does the same job with
// cv::cvtColor and cv::resize (INTER_AREA when downscaling, INTER_LINEAR
// otherwise): faster on large frames, but not bit-compatible with Pillow.
package imaging
