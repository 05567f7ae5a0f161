package jpeg

import (
	"image"
)

// output turns the decoded samples into an image.
func (d *decoder) output() (image.Image, error) {
	if d.coefMode {
		smooth := d.smoothingOK()
		for i := range d.comps {
			c := &d.comps[i]
			if smooth {
				d.idctSmoothed(c)
			} else {
				for by := 0; by < c.hBlk; by++ {
					for bx := 0; bx < c.wBlk; bx++ {
						off := (by*c.bw + bx) * 64
						idctIslow((*[64]int16)(c.coefs[off:off+64]), &c.quant, c.plane[by*8*c.stride+bx*8:], c.stride)
					}
				}
			}
			c.coefs = nil // let the collector have them before the RGBA image is allocated
		}
	}
	r := image.Rect(0, 0, d.width, d.height)
	if len(d.comps) == 1 {
		c := &d.comps[0]
		return &image.Gray{Pix: c.plane, Stride: c.stride, Rect: r}, nil
	}
	ups := make([]*upsampler, len(d.comps))
	for i := range d.comps {
		u, err := newUpsampler(&d.comps[i], d.maxH, d.maxV)
		if err != nil {
			return nil, err
		}
		ups[i] = u
	}
	conv := yccRow
	if d.isRGB() {
		conv = rgbRow
	}
	img := image.NewRGBA(r)
	for y := 0; y < d.height; y++ {
		dst := img.Pix[y*img.Stride : y*img.Stride+4*d.width]
		conv(dst, ups[0].row(y), ups[1].row(y), ups[2].row(y))
	}
	return img, nil
}

// isRGB applies libjpeg's rules (jdapimin.c default_decompress_parms) for
// a 3-component file that is RGB rather than YCbCr.
func (d *decoder) isRGB() bool {
	switch {
	case d.sawJFIF:
		return false
	case d.sawAdobe:
		return d.adobeTransform == 0
	}
	return d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
}
