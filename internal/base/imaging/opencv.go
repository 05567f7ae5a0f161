//go:build opencv

package imaging

import (
	"image"

	"gocv.io/x/gocv"
)

var resizeOpenCV Resizer = ResizeOpenCV

// ResizeOpenCV scales src to dst's bounds with cv::resize: INTER_AREA when
// shrinking (OpenCV's antialiasing choice), INTER_LINEAR when enlarging.
// *image.RGBA and *image.NRGBA frames (what opencv: delivers) are handed
// to OpenCV without conversion; other pixel types are first converted to
// RGB rows in Go with the same colour conversion as Resize. The result is
// close to, but not bit-identical with, Pillow's (see docs/camera.md).
func ResizeOpenCV(dst *image.RGBA, src image.Image) {
	sb, db := src.Bounds(), dst.Bounds()
	if sb.Empty() || db.Empty() {
		return
	}
	in, err := toMat(src)
	if err != nil {
		Resize(dst, src) // unreachable for sane sizes; never leave dst stale
		return
	}
	defer in.Close()
	interp := gocv.InterpolationLinear
	if db.Dx() < sb.Dx() || db.Dy() < sb.Dy() {
		interp = gocv.InterpolationArea
	}
	out := gocv.NewMat()
	defer out.Close()
	gocv.Resize(in, &out, image.Pt(db.Dx(), db.Dy()), 0, 0, interp)
	rgba := out
	if out.Channels() == 3 {
		rgba = gocv.NewMat()
		defer rgba.Close()
		gocv.CvtColor(out, &rgba, gocv.ColorBGRToBGRA) // adds alpha; channel order kept
	}
	data, err := rgba.DataPtrUint8()
	if err != nil {
		Resize(dst, src)
		return
	}
	w := 4 * db.Dx()
	for y := range db.Dy() {
		off := dst.PixOffset(db.Min.X, db.Min.Y+y)
		row := dst.Pix[off : off+w]
		copy(row, data[y*w:(y+1)*w])
		for x := 3; x < w; x += 4 {
			row[x] = 255
		}
	}
}

// toMat wraps or converts src as an 8-bit RGBA or RGB Mat.
func toMat(src image.Image) (gocv.Mat, error) {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	var pix []uint8
	var stride int
	switch s := src.(type) {
	case *image.RGBA:
		pix, stride = s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride
	case *image.NRGBA:
		pix, stride = s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride
	}
	if pix != nil {
		if stride == 4*w {
			return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, pix[:4*w*h])
		}
		buf := make([]uint8, 4*w*h)
		for y := range h {
			copy(buf[4*w*y:4*w*(y+1)], pix[stride*y:])
		}
		return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, buf)
	}
	buf := make([]uint8, 3*w*h)
	read := rowsOf(src)
	for y := range h {
		read(buf[3*w*y:3*w*(y+1)], b.Min.Y+y)
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, buf)
}
