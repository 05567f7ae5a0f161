// Package imgio decodes still images (JPEG, PNG, BMP) from untrusted bytes
// with a cap on their pixel count, so a tiny file that claims to be
// 100000×100000 pixels cannot make us allocate gigabytes. JPEGs go through
// internal/base/imaging/jpeg, whose pixels are byte-identical to Pillow's
// (libjpeg-turbo), the decoder most classifiers were evaluated with.
package imgio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/png" // register PNG
	"os"

	_ "golang.org/x/image/bmp" // register BMP

	"github.com/fovea-edge/fovea/internal/base/imaging/jpeg"
)

// MaxPixels is the largest image Decode accepts (64 megapixels).
const MaxPixels = 64 << 20

// MaxFileBytes is the largest file DecodeFile reads.
const MaxFileBytes = 256 << 20

var (
	// ErrTooLarge is returned for images over MaxPixels or files over
	// MaxFileBytes.
	ErrTooLarge = errors.New("image too large")
	// ErrFormat is returned for bytes that are not a JPEG, PNG or BMP.
	ErrFormat = errors.New("not a JPEG, PNG or BMP image")
)

// Decode decodes a JPEG, PNG or BMP image. A colour JPEG comes back as
// *image.RGBA and a greyscale one as *image.Gray, with Pillow's pixels.
func Decode(data []byte) (image.Image, error) {
	if bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}) {
		img, err := jpeg.DecodeBytes(data)
		switch {
		case errors.Is(err, jpeg.ErrTooLarge):
			return nil, fmt.Errorf("imgio.Decode: %w: %w", ErrTooLarge, err)
		case err != nil:
			return nil, fmt.Errorf("imgio.Decode: %w", err)
		}
		return img, nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, fmt.Errorf("imgio.Decode: %w", ErrFormat)
		}
		return nil, fmt.Errorf("imgio.Decode: header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("imgio.Decode: image is %dx%d pixels", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("imgio.Decode: image is %dx%d pixels, over the %d-pixel limit: %w", cfg.Width, cfg.Height, MaxPixels, ErrTooLarge)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("imgio.Decode: %w (truncated or corrupt file?)", err)
	}
	return img, nil
}

// DecodeFile reads and decodes an image file; errors name the file.
func DecodeFile(path string) (image.Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("imgio.DecodeFile: %w", err)
	}
	if fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("imgio.DecodeFile %s: %d bytes: %w", path, fi.Size(), ErrTooLarge)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imgio.DecodeFile: %w", err)
	}
	img, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
