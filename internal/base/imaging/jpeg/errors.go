package jpeg

import "errors"

// MaxPixels is the largest image (width × height) the decoder accepts: 64
// megapixels. Larger images are refused before pixel memory is allocated.
const MaxPixels = 64 << 20

// pixelLimit is MaxPixels; the fuzz test lowers it to keep runs fast.
var pixelLimit = MaxPixels

var (
	// ErrFormat is returned when the bytes do not start with a JPEG SOI
	// marker.
	ErrFormat = errors.New("not a JPEG file (no SOI marker)")
	// ErrTruncated is returned when the data ends before the image does.
	ErrTruncated = errors.New("JPEG data is truncated")
	// ErrCorrupt is returned for malformed markers, tables or entropy data.
	ErrCorrupt = errors.New("corrupt JPEG data")
	// ErrUnsupported is returned for valid JPEG features this decoder does
	// not implement (CMYK, 12-bit, lossless, arithmetic coding, …).
	ErrUnsupported = errors.New("unsupported JPEG feature")
	// ErrTooLarge is returned for images over MaxPixels.
	ErrTooLarge = errors.New("JPEG image too large")
)
