package jpeg

import "errors"

// MaxPixels is the largest image (width × height) the decoder accepts: 64
// megapixels. Larger images are refused before pixel memory is allocated.
const MaxPixels = 64 << 20

// MaxFileBytes is the most Decode reads from its reader (256 MiB).
const MaxFileBytes = 256 << 20

// MaxScans caps the scans of one file. Real progressive files have about
// ten; libjpeg has no limit, but each scan walks every block of the image,
// so a small crafted file with thousands of empty scans would take minutes.
const MaxScans = 1000

// pixelLimit is MaxPixels; the fuzz test lowers it to keep runs fast.
var pixelLimit = MaxPixels

var (
	// ErrFormat is returned when the bytes do not start with a JPEG SOI
	// marker and another marker (FF D8 FF), Pillow's test for a JPEG file.
	ErrFormat = errors.New("not a JPEG file (it does not start with FF D8 FF)")
	// ErrTruncated is returned when the data ends before the image does.
	ErrTruncated = errors.New("JPEG data is truncated")
	// ErrCorrupt is returned for malformed markers, tables or entropy data.
	ErrCorrupt = errors.New("corrupt JPEG data")
	// ErrUnsupported is returned for valid JPEG features this decoder does
	// not implement (CMYK, 12-bit, lossless, arithmetic coding, …).
	ErrUnsupported = errors.New("unsupported JPEG feature")
	// ErrTooLarge is returned for images over MaxPixels, inputs over
	// MaxFileBytes and files with more than MaxScans scans.
	ErrTooLarge = errors.New("JPEG image too large")
)
