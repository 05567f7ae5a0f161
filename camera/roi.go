package camera

import (
	"context"
	"fmt"
	"image"
)

// cropped crops every frame of src to a region of interest.
type cropped struct {
	src Source
	roi image.Rectangle
}

// CropROI returns a Source whose frames are src's frames cropped to roi,
// given in pixels relative to the frame's top-left corner. The crop shares
// pixels with the original (no copy). A frame that roi does not overlap is
// an error wrapping ErrPermanent, since every later frame of the same
// camera will miss too. An empty roi returns src unchanged.
func CropROI(src Source, roi image.Rectangle) Source {
	if roi.Empty() {
		return src
	}
	return &cropped{src: src, roi: roi.Canon()}
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

func (c *cropped) Next(ctx context.Context) (Frame, error) {
	f, err := c.src.Next(ctx)
	if err != nil {
		return Frame{}, err
	}
	img, err := Crop(f.Image, c.roi)
	if err != nil {
		return Frame{}, err
	}
	f.Image = img
	return f, nil
}

// Crop returns the part of img inside roi (relative to img's top-left
// corner), sharing pixels when img supports SubImage and copying into an
// *image.RGBA otherwise.
func Crop(img image.Image, roi image.Rectangle) (image.Image, error) {
	b := img.Bounds()
	r := roi.Add(b.Min).Intersect(b)
	if r.Empty() {
		return nil, fmt.Errorf("camera.Crop: ROI %v lies outside the %dx%d frame; fix the ROI in the camera config: %w", roi, b.Dx(), b.Dy(), ErrPermanent)
	}
	if s, ok := img.(subImager); ok {
		return s.SubImage(r), nil
	}
	out := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out, nil
}

func (c *cropped) Close() error { return c.src.Close() }

func (c *cropped) Stats() Stats { return StatsOf(c.src) }

// Apply wraps src with the generic parts of opts: the ROI crop and, for a
// live source, the fps cap (LimitFPS). Backends call it last in their
// opener; a backend that paces its own reads passes opts with FPS = 0.
func Apply(src Source, opts Options) Source {
	return CropROI(LimitFPS(src, opts.FPS), opts.ROI)
}
