package jpeg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// quantTable is a DQT table in natural order.
type quantTable struct {
	vals    [64]uint16
	defined bool
}

// decoder holds the state of one decode.
type decoder struct {
	data []byte
	pos  int

	width, height int
	progressive   bool
	comps         []component
	maxH, maxV    int
	mcusX, mcusY  int

	quant              [4]quantTable
	dcTables, acTables [4]huffTable
	restartInterval    int

	sawJFIF, sawAdobe bool
	adobeTransform    byte

	started bool // first scan seen
	scans   int  // scans seen so far (libjpeg's input_scan_number)
	// lastGoodRow is the last iMCU row that entropy data reached in the
	// latest scan (libjpeg-turbo's last_good_iMCU_row).
	lastGoodRow int
	coefMode    bool // coefficients buffered for the whole image
	// singleDone is set once the scan of a single-scan file is decoded.
	singleDone bool
	scan       scan
	st         scanState
}

// Decode reads a JPEG image from r. See the package documentation for
// what it returns.
func Decode(r io.Reader) (image.Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jpeg.Decode: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("jpeg.Decode: input over %d bytes: %w", MaxFileBytes, ErrTooLarge)
	}
	img, err := decodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("jpeg.Decode: %w", err)
	}
	return img, nil
}

// DecodeBytes decodes a JPEG image held in memory.
func DecodeBytes(data []byte) (image.Image, error) {
	img, err := decodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("jpeg.DecodeBytes: %w", err)
	}
	return img, nil
}

// DecodeConfig returns the size and colour model of a JPEG image
// (color.RGBAModel or color.GrayModel, the types Decode returns) without
// decoding its pixels. It reads only as far as the frame header.
func DecodeConfig(r io.Reader) (image.Config, error) {
	// Headers before the frame are rarely large, but APP segments (EXIF
	// thumbnails, ICC profiles) can be; read in growing chunks until the
	// SOF is found.
	var buf bytes.Buffer
	chunk := 4096
	for {
		_, err := io.CopyN(&buf, r, int64(chunk))
		eof := err == io.EOF
		if err != nil && !eof {
			return image.Config{}, fmt.Errorf("jpeg.DecodeConfig: %w", err)
		}
		d := &decoder{data: buf.Bytes()}
		cerr := d.readHeaders(true)
		if cerr == nil {
			return d.config(), nil
		}
		if eof || !isTruncation(cerr) {
			return image.Config{}, fmt.Errorf("jpeg.DecodeConfig: %w", cerr)
		}
		chunk = min(chunk*2, 1<<20)
	}
}

func (d *decoder) config() image.Config {
	m := color.RGBAModel
	if len(d.comps) == 1 {
		m = color.GrayModel
	}
	return image.Config{ColorModel: m, Width: d.width, Height: d.height}
}

func isTruncation(err error) bool {
	for e := err; e != nil; {
		if e == ErrTruncated {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

func decodeBytes(data []byte) (image.Image, error) {
	d := &decoder{data: data}
	if err := d.readHeaders(false); err != nil {
		return nil, err
	}
	return d.output()
}

// readHeaders walks the markers. With frameOnly it stops after the frame
// header; otherwise it decodes every scan up to EOI (or, for a
// single-scan sequential file, up to the end of that scan).
func (d *decoder) readHeaders(frameOnly bool) error {
	// Pillow identifies JPEG files by FF D8 FF.
	if len(d.data) < 3 || d.data[0] != 0xFF || d.data[1] != mSOI || d.data[2] != 0xFF {
		return ErrFormat
	}
	d.pos = 2
	for {
		err := d.nextSegment(frameOnly)
		if err == errEOI {
			return nil
		}
		if err != nil && d.singleDone && isTruncation(err) {
			// The single scan is decoded; after it libjpeg reads on to
			// the EOI, and Pillow ignores it running out of data there
			// (but not a marker it refuses).
			return nil
		}
		if err != nil {
			return err
		}
		if frameOnly && d.comps != nil {
			return nil
		}
	}
}

// errEOI ends the marker walk.
var errEOI = errors.New("EOI")

// nextSegment reads and processes the next marker and its segment (or,
// for SOS, its scan).
func (d *decoder) nextSegment(frameOnly bool) error {
	{
		m, err := d.readMarker()
		if err != nil {
			return err
		}
		switch {
		case m == mSOI:
			return fmt.Errorf("%w: second SOI marker", ErrCorrupt)
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if d.comps != nil {
				return fmt.Errorf("%w: second SOF marker", ErrCorrupt)
			}
			p, err := d.segment("SOF")
			if err != nil {
				return err
			}
			if err := d.readSOF(p, m); err != nil {
				return err
			}
		case m == 0xC3 || m == 0xC7 || m == 0xCB || m == 0xCF:
			return fmt.Errorf("%w: lossless JPEG (SOF%d)", ErrUnsupported, m-mSOF0)
		case m == 0xC9 || m == 0xCA || m == 0xCD || m == 0xCE:
			return fmt.Errorf("%w: arithmetic-coded JPEG (SOF%d)", ErrUnsupported, m-mSOF0)
		case m == 0xC5 || m == 0xC6 || m == 0xC8:
			return fmt.Errorf("%w: hierarchical JPEG (marker %#02x)", ErrUnsupported, m)
		case m == mDHT:
			p, err := d.segment("DHT")
			if err != nil {
				return err
			}
			if err := d.readDHT(p); err != nil {
				return err
			}
		case m == mDQT:
			p, err := d.segment("DQT")
			if err != nil {
				return err
			}
			if err := d.readDQT(p); err != nil {
				return err
			}
		case m == mDRI:
			p, err := d.segment("DRI")
			if err != nil {
				return err
			}
			if len(p) != 2 {
				return fmt.Errorf("%w: DRI segment of %d bytes", ErrCorrupt, len(p))
			}
			d.restartInterval = int(binary.BigEndian.Uint16(p))
		case m >= mAPP0 && m <= mAPPF || m == mCOM || m == mDNL:
			p, err := d.segment("APP/COM")
			if err != nil {
				return err
			}
			d.readApp(p, m)
		case m == mDAC:
			p, err := d.segment("DAC")
			if err != nil {
				return err
			}
			if err := checkDAC(p); err != nil {
				return err
			}
		case m == mTEM && !d.started:
			// libjpeg ignores it, but Pillow's own header parser refuses
			// markers below 0xC0.
			return fmt.Errorf("%w: TEM marker in the header", ErrCorrupt)
		case m >= mRST0 && m <= mRST7 || m == mTEM:
			// Stray parameterless markers are ignored, as libjpeg does.
		case m == mSOS:
			if frameOnly {
				return fmt.Errorf("%w: SOS before SOF", ErrCorrupt)
			}
			if d.started && !d.coefMode {
				return fmt.Errorf("%w: second scan in a single-scan file (EOI expected)", ErrCorrupt)
			}
			p, err := d.segment("SOS")
			if err != nil {
				return err
			}
			if err := d.readSOS(p); err != nil {
				return err
			}
			if err := d.decodeScan(); err != nil {
				return err
			}
			d.singleDone = !d.coefMode
		case m == mEOI:
			if frameOnly || !d.started {
				return fmt.Errorf("%w: EOI before any image data", ErrCorrupt)
			}
			return errEOI
		default:
			return fmt.Errorf("%w: unknown marker %#02x", ErrCorrupt, m)
		}
	}
	return nil
}

// checkDAC validates arithmetic-coding conditioning values as libjpeg's
// get_dac does, even in a Huffman-coded file where they are unused.
func checkDAC(p []byte) error {
	if len(p)%2 != 0 {
		return fmt.Errorf("%w: DAC segment of %d bytes", ErrCorrupt, len(p))
	}
	for ; len(p) > 0; p = p[2:] {
		index, val := p[0], p[1]
		switch {
		case index >= 32:
			return fmt.Errorf("%w: DAC table %d", ErrCorrupt, index)
		case index < 16 && val&15 > val>>4:
			return fmt.Errorf("%w: DAC value %#02x", ErrCorrupt, val)
		}
	}
	return nil
}
