package jpeg

import "fmt"

// scan is the header of the scan being decoded.
type scan struct {
	comps          []*component
	td, ta         []int // Huffman slots per component
	ss, se, ah, al int
}

// scanState is the per-scan entropy decoding state.
type scanState struct {
	br           bitReader
	restartsToGo int
	nextRestart  int  // expected RSTn number
	insufficient bool // libjpeg's insufficient_data: skip MCUs once data ran out
	eobrun       int
}

// startScan prepares the decoder for the scan in d.scan: on the first scan
// it picks single-pass or coefficient-buffer decoding and allocates memory,
// and it latches quantisation tables and checks Huffman tables.
func (d *decoder) startScan() error {
	s := &d.scan
	d.scans++
	if d.scans > MaxScans {
		return fmt.Errorf("%w: more than %d scans", ErrTooLarge, MaxScans)
	}
	if !d.started {
		d.started = true
		// libjpeg decodes straight to samples only when the first scan
		// holds every component of a sequential file (has_multiple_scans).
		d.coefMode = d.progressive || len(s.comps) < len(d.comps)
		if !d.progressive {
			// Only libjpeg-turbo's sequential decoder installs them.
			d.setStandardTables()
		}
		for i := range d.comps {
			c := &d.comps[i]
			c.plane = make([]byte, c.bw*8*c.bh*8)
			if d.coefMode {
				c.coefs = make([]int16, c.bw*c.bh*64)
			}
		}
	}
	for i, c := range s.comps {
		if !c.latched {
			q := &d.quant[c.tq]
			if !q.defined {
				return fmt.Errorf("%w: quantisation table %d is not defined", ErrCorrupt, c.tq)
			}
			for k, v := range q.vals {
				// ISLOW_MULT_TYPE is a 16-bit short in libjpeg-turbo.
				c.quant[k] = int32(int16(v))
			}
			c.qraw = q.vals
			c.latched = true
		}
		c.dcTbl, c.acTbl = nil, nil
		needDC := !d.progressive || (s.ss == 0 && s.ah == 0)
		needAC := !d.progressive || s.ss > 0
		// Table numbers are checked only where a table is used, as
		// libjpeg does.
		if needDC {
			if s.td[i] > 3 {
				return fmt.Errorf("%w: DC Huffman table %d", ErrCorrupt, s.td[i])
			}
			if c.dcTbl = &d.dcTables[s.td[i]]; !c.dcTbl.defined {
				return fmt.Errorf("%w: DC Huffman table %d is not defined", ErrCorrupt, s.td[i])
			}
		}
		if needAC {
			if s.ta[i] > 3 {
				return fmt.Errorf("%w: AC Huffman table %d", ErrCorrupt, s.ta[i])
			}
			if c.acTbl = &d.acTables[s.ta[i]]; !c.acTbl.defined {
				return fmt.Errorf("%w: AC Huffman table %d is not defined", ErrCorrupt, s.ta[i])
			}
		}
		c.dcPred = 0
		if d.progressive {
			for k := min(s.ss, 1); k <= min(max(s.se, 9), 9); k++ {
				if d.scans > 1 {
					c.prevBits[k] = c.coefBits[k]
				} else {
					c.prevBits[k] = 0
				}
			}
			for k := s.ss; k <= s.se; k++ {
				c.coefBits[k] = s.al
			}
		}
	}
	return nil
}

// decodeScan decodes the entropy-coded data of d.scan, starting at d.pos,
// and leaves d.pos where the next marker search should start.
func (d *decoder) decodeScan() error {
	if err := d.startScan(); err != nil {
		return err
	}
	s := &d.scan
	st := &d.st
	*st = scanState{restartsToGo: d.restartInterval}
	st.br = bitReader{data: d.data, pos: d.pos}

	var decodeMCU func(blocks []*[64]int16, comps []*component)
	switch {
	case !d.progressive:
		decodeMCU = d.decodeMCUSequential
	case s.ss == 0 && s.ah == 0:
		decodeMCU = d.decodeMCUDCFirst
	case s.ss == 0:
		decodeMCU = d.decodeMCUDCRefine
	case s.ah == 0:
		decodeMCU = d.decodeMCUACFirst
	default:
		decodeMCU = d.decodeMCUACRefine
	}

	var scratch [10][64]int16
	var blocks [10]*[64]int16
	var owners [10]*component
	direct := !d.coefMode

	mcu := func(c *component, n, bx, by int) *[64]int16 {
		if direct {
			scratch[n] = [64]int16{}
			return &scratch[n]
		}
		off := (by*c.bw + bx) * 64
		return (*[64]int16)(c.coefs[off : off+64])
	}
	emit := func(nblocks int, iMCURow int) {
		d.restartIfDue()
		if !st.insufficient {
			d.lastGoodRow = iMCURow
		}
		decodeMCU(blocks[:nblocks], owners[:nblocks])
		if st.br.overrun() {
			st.insufficient = true
		}
	}

	if len(s.comps) == 1 {
		c := s.comps[0]
		for by := 0; by < c.hBlk; by++ {
			for bx := 0; bx < c.wBlk; bx++ {
				blocks[0], owners[0] = mcu(c, 0, bx, by), c
				emit(1, by/c.v)
				if direct {
					idctIslow(blocks[0], &c.quant, c.plane[by*8*c.stride+bx*8:], c.stride)
				}
			}
		}
	} else {
		for my := 0; my < d.mcusY; my++ {
			for mx := 0; mx < d.mcusX; mx++ {
				n := 0
				for _, c := range s.comps {
					for y := 0; y < c.v; y++ {
						for x := 0; x < c.h; x++ {
							blocks[n], owners[n] = mcu(c, n, mx*c.h+x, my*c.v+y), c
							n++
						}
					}
				}
				emit(n, my)
				if direct {
					n = 0
					for _, c := range s.comps {
						for y := 0; y < c.v; y++ {
							row := (my*c.v + y) * 8 * c.stride
							for x := 0; x < c.h; x++ {
								idctIslow(blocks[n], &c.quant, c.plane[row+(mx*c.h+x)*8:], c.stride)
								n++
							}
						}
					}
				}
			}
		}
	}
	if st.br.atEOF {
		// libjpeg suspends for more data here, and Pillow then reports
		// the file truncated.
		return fmt.Errorf("%w: data ends inside a scan", ErrTruncated)
	}
	d.pos = st.br.pos
	return nil
}

// decodeMCUSequential decodes the blocks of one MCU of a sequential scan
// (jdhuff.c decode_mcu).
func (d *decoder) decodeMCUSequential(blocks []*[64]int16, comps []*component) {
	st := &d.st
	if st.insufficient {
		return
	}
	br := &st.br
	for i, blk := range blocks {
		c := comps[i]
		s := br.decode(c.dcTbl)
		if s != 0 {
			c.dcPred += br.receiveExtend(uint(s))
		}
		blk[0] = int16(c.dcPred)
		ac := c.acTbl
		for k := 1; k < 64; k++ {
			rs := br.decode(ac)
			r, s := int(rs>>4), uint(rs&15)
			if s != 0 {
				k += r
				blk[natural[k]] = int16(br.receiveExtend(s))
			} else {
				if r != 15 {
					break
				}
				k += 15
			}
		}
	}
}
