package jpeg

import (
	"encoding/binary"
	"fmt"
)

// Marker codes (ITU T.81 Table B.1).
const (
	mSOF0 = 0xC0
	mSOF1 = 0xC1
	mSOF2 = 0xC2
	mDHT  = 0xC4
	mDAC  = 0xCC
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPPE = 0xEE
	mAPPF = 0xEF
	mCOM  = 0xFE
	mTEM  = 0x01
)

// component is one colour channel of the frame.
type component struct {
	id    int
	h, v  int // sampling factors
	tq    int // quantisation table slot named in the frame header
	index int // position in the frame

	// Derived from the frame.
	dsW, dsH   int // downsampled size in samples
	wBlk, hBlk int // size in blocks (ceil(ds/8))
	bw, bh     int // allocated blocks: padded to whole MCUs

	quant   [64]int32  // latched dequantisation table as the IDCT multiplies
	qraw    [64]uint16 // the same table as stored, for block smoothing
	latched bool
	coefs   []int16 // bw*bh*64 coefficients (multi-scan files)
	plane   []byte  // bw*8 × bh*8 samples
	stride  int
	dcPred  int32
	dcTbl   *huffTable
	acTbl   *huffTable
	// coefBits[k] is the successive-approximation bit position of zig-zag
	// coefficient k known so far, -1 before any scan (jdphuff.c).
	coefBits [64]int
	// prevBits[k] (k ≤ 9) is coefBits[k] as it was before the latest scan
	// of this component (0 after the first scan of the file), which
	// libjpeg-turbo 2.1 uses for rows a cut-short scan did not reach.
	prevBits [10]int
}

// readMarker returns the next marker at or after d.pos, skipping garbage
// bytes and fill FFs as libjpeg's next_marker does.
func (d *decoder) readMarker() (byte, error) {
	for {
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
		for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return 0, fmt.Errorf("%w: no EOI marker", ErrTruncated)
		}
		c := d.data[d.pos]
		d.pos++
		if c != 0 {
			return c, nil
		}
	}
}

// segment returns the payload of the length-prefixed segment at d.pos and
// moves past it.
func (d *decoder) segment(name string) ([]byte, error) {
	if len(d.data)-d.pos < 2 {
		return nil, fmt.Errorf("%w: %s segment length", ErrTruncated, name)
	}
	n := int(binary.BigEndian.Uint16(d.data[d.pos:]))
	if n < 2 {
		return nil, fmt.Errorf("%w: %s segment length %d", ErrCorrupt, name, n)
	}
	if len(d.data)-d.pos < n {
		return nil, fmt.Errorf("%w: %s segment needs %d bytes, %d left", ErrTruncated, name, n, len(d.data)-d.pos)
	}
	p := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return p, nil
}

// readSOF parses a frame header.
func (d *decoder) readSOF(p []byte, marker byte) error {
	if d.comps != nil {
		return fmt.Errorf("%w: second SOF marker", ErrCorrupt)
	}
	if len(p) < 6 {
		return fmt.Errorf("%w: SOF segment of %d bytes", ErrCorrupt, len(p))
	}
	if p[0] != 8 {
		return fmt.Errorf("%w: %d-bit samples (only 8-bit JPEG is supported)", ErrUnsupported, p[0])
	}
	d.height = int(binary.BigEndian.Uint16(p[1:]))
	d.width = int(binary.BigEndian.Uint16(p[3:]))
	n := int(p[5])
	if d.height == 0 {
		return fmt.Errorf("%w: image height 0 (height given by a DNL marker)", ErrUnsupported)
	}
	if d.width == 0 || n == 0 {
		return fmt.Errorf("%w: empty image (%dx%d, %d components)", ErrCorrupt, d.width, d.height, n)
	}
	if len(p) != 6+3*n {
		return fmt.Errorf("%w: SOF segment of %d bytes for %d components", ErrCorrupt, len(p), n)
	}
	switch n {
	case 1, 3:
	case 4:
		return fmt.Errorf("%w: 4-component (CMYK or YCCK) image", ErrUnsupported)
	default:
		return fmt.Errorf("%w: %d-component image (only greyscale and 3-component colour are supported)", ErrUnsupported, n)
	}
	d.progressive = marker == mSOF2
	d.comps = make([]component, n)
	maxID := -1
	for i := range d.comps {
		c := &d.comps[i]
		c.index = i
		c.id = int(p[6+3*i])
		// libjpeg-turbo renames duplicate ids (seen in some broken files)
		// to one more than the largest id so far.
		for j := 0; j < i; j++ {
			if d.comps[j].id == c.id {
				c.id = maxID + 1
				break
			}
		}
		maxID = max(maxID, c.id)
		c.h = int(p[7+3*i] >> 4)
		c.v = int(p[7+3*i] & 15)
		c.tq = int(p[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return fmt.Errorf("%w: sampling factors %dx%d", ErrCorrupt, c.h, c.v)
		}
		if c.tq > 3 {
			return fmt.Errorf("%w: quantisation table %d", ErrCorrupt, c.tq)
		}
		for k := range c.coefBits {
			c.coefBits[k] = -1
		}
	}
	if int64(d.width)*int64(d.height) > int64(pixelLimit) {
		return fmt.Errorf("%w: %dx%d pixels is over the %d-pixel limit", ErrTooLarge, d.width, d.height, pixelLimit)
	}
	d.frameGeometry()
	return nil
}

// frameGeometry derives MCU and per-component sizes (jdinput.c,
// initial_setup).
func (d *decoder) frameGeometry() {
	d.maxH, d.maxV = 1, 1
	for _, c := range d.comps {
		d.maxH = max(d.maxH, c.h)
		d.maxV = max(d.maxV, c.v)
	}
	d.mcusX = ceilDiv(d.width, 8*d.maxH)
	d.mcusY = ceilDiv(d.height, 8*d.maxV)
	for i := range d.comps {
		c := &d.comps[i]
		c.dsW = ceilDiv(d.width*c.h, d.maxH)
		c.dsH = ceilDiv(d.height*c.v, d.maxV)
		c.wBlk = ceilDiv(c.dsW, 8)
		c.hBlk = ceilDiv(c.dsH, 8)
		c.bw = max(d.mcusX*c.h, c.wBlk)
		c.bh = max(d.mcusY*c.v, c.hBlk)
		c.stride = c.bw * 8
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// readDQT parses quantisation tables.
func (d *decoder) readDQT(p []byte) error {
	for len(p) > 0 {
		pq, tq := p[0]>>4, p[0]&15
		if tq > 3 || pq > 1 {
			return fmt.Errorf("%w: DQT table %d precision %d", ErrCorrupt, tq, pq)
		}
		size := 64 << pq
		if len(p) < 1+size {
			return fmt.Errorf("%w: DQT table %d is short", ErrCorrupt, tq)
		}
		q := &d.quant[tq]
		for k := 0; k < 64; k++ {
			var v uint16
			if pq == 0 {
				v = uint16(p[1+k])
			} else {
				v = binary.BigEndian.Uint16(p[1+2*k:])
			}
			q.vals[natural[k]] = v
		}
		q.defined = true
		p = p[1+size:]
	}
	return nil
}

// readDHT parses Huffman tables.
func (d *decoder) readDHT(p []byte) error {
	for len(p) > 0 {
		if len(p) < 17 {
			return fmt.Errorf("%w: DHT segment is short", ErrCorrupt)
		}
		class, slot := p[0]>>4, p[0]&15
		if class > 1 || slot > 3 {
			return fmt.Errorf("%w: DHT table class %d slot %d", ErrCorrupt, class, slot)
		}
		var counts [16]uint8
		copy(counts[:], p[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if len(p) < 17+total {
			return fmt.Errorf("%w: DHT table has %d symbols, segment holds %d", ErrCorrupt, total, len(p)-17)
		}
		t := &d.acTables[slot]
		if class == 0 {
			t = &d.dcTables[slot]
		}
		if err := t.build(&counts, p[17:17+total], class == 0); err != nil {
			return err
		}
		p = p[17+total:]
	}
	return nil
}

// readApp notes the JFIF and Adobe markers that decide the colour space.
func (d *decoder) readApp(p []byte, marker byte) {
	if d.started {
		// libjpeg settles the colour space when it reads the headers up
		// to the first scan.
		return
	}
	switch marker {
	case mAPP0:
		if len(p) >= 14 && string(p[:5]) == "JFIF\x00" {
			d.sawJFIF = true
		}
	case mAPPE:
		if len(p) >= 12 && string(p[:5]) == "Adobe" {
			d.sawAdobe = true
			d.adobeTransform = p[11]
		}
	}
}

// readSOS parses a scan header into d.scan.
func (d *decoder) readSOS(p []byte) error {
	if d.comps == nil {
		return fmt.Errorf("%w: SOS before SOF", ErrCorrupt)
	}
	if len(p) < 1 {
		return fmt.Errorf("%w: empty SOS segment", ErrCorrupt)
	}
	n := int(p[0])
	if n < 1 || n > 4 || len(p) != 4+2*n {
		return fmt.Errorf("%w: SOS segment of %d bytes for %d components", ErrCorrupt, len(p), n)
	}
	s := scan{}
	for i := 0; i < n; i++ {
		id := int(p[1+2*i])
		// Duplicate ids in a scan: libjpeg-turbo's get_sos substitutes one
		// more than the largest id seen in the scan so far.
		for _, prev := range s.comps {
			if prev.id == id {
				id = s.comps[0].id
				for _, q := range s.comps[1:] {
					id = max(id, q.id)
				}
				id++
				break
			}
		}
		var c *component
		for j := range d.comps {
			if d.comps[j].id == id {
				c = &d.comps[j]
			}
		}
		if c == nil {
			return fmt.Errorf("%w: SOS names component %d, not in the frame", ErrCorrupt, id)
		}
		for _, prev := range s.comps {
			if prev == c {
				return fmt.Errorf("%w: SOS names component %d twice", ErrCorrupt, id)
			}
		}
		td, ta := int(p[2+2*i]>>4), int(p[2+2*i]&15)
		s.comps = append(s.comps, c)
		s.td = append(s.td, td)
		s.ta = append(s.ta, ta)
	}
	s.ss = int(p[1+2*n])
	s.se = int(p[2+2*n])
	s.ah = int(p[3+2*n] >> 4)
	s.al = int(p[3+2*n] & 15)
	if n > 1 {
		blocks := 0
		for _, c := range s.comps {
			blocks += c.h * c.v
		}
		if blocks > 10 {
			return fmt.Errorf("%w: %d blocks per MCU (at most 10)", ErrCorrupt, blocks)
		}
	}
	if d.progressive {
		bad := false
		if s.ss == 0 {
			bad = s.se != 0
		} else {
			bad = s.ss > s.se || s.se > 63 || n != 1
		}
		if s.ah != 0 && s.al != s.ah-1 {
			bad = true
		}
		if s.al > 13 {
			bad = true
		}
		if bad {
			return fmt.Errorf("%w: invalid progressive scan Ss=%d Se=%d Ah=%d Al=%d", ErrCorrupt, s.ss, s.se, s.ah, s.al)
		}
	}
	d.scan = s
	return nil
}
