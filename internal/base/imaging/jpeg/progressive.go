package jpeg

// The four kinds of progressive scan (jdphuff.c).

// decodeMCUDCFirst decodes the first DC scan of the components of an MCU.
func (d *decoder) decodeMCUDCFirst(blocks []*[64]int16, comps []*component) {
	st := &d.st
	if st.insufficient {
		return
	}
	br := &st.br
	al := uint(d.scan.al)
	for i, blk := range blocks {
		c := comps[i]
		s := br.decode(c.dcTbl)
		if s != 0 {
			c.dcPred += br.receiveExtend(uint(s))
		}
		blk[0] = int16(c.dcPred << al)
	}
}

// decodeMCUDCRefine adds one bit of precision to the DC coefficients. Like
// libjpeg it does not check for exhausted data: zero bits change nothing.
func (d *decoder) decodeMCUDCRefine(blocks []*[64]int16, _ []*component) {
	br := &d.st.br
	p1 := int16(1) << uint(d.scan.al)
	for _, blk := range blocks {
		if br.bit() {
			blk[0] |= p1
		}
	}
}

// decodeMCUACFirst decodes the first scan of a band of AC coefficients of
// one block.
func (d *decoder) decodeMCUACFirst(blocks []*[64]int16, comps []*component) {
	st := &d.st
	if st.insufficient {
		return
	}
	if st.eobrun > 0 {
		st.eobrun--
		return
	}
	br := &st.br
	blk := blocks[0]
	tbl := comps[0].acTbl
	se, al := d.scan.se, uint(d.scan.al)
	for k := d.scan.ss; k <= se; k++ {
		rs := br.decode(tbl)
		r, s := int(rs>>4), uint(rs&15)
		if s != 0 {
			k += r
			blk[natural[k]] = int16(uint32(br.receiveExtend(s)) << al)
			continue
		}
		if r == 15 {
			k += 15
			continue
		}
		eob := 1 << uint(r)
		if r != 0 {
			eob += int(br.bits(uint(r)))
		}
		st.eobrun = eob - 1
		break
	}
}

// decodeMCUACRefine adds one bit of precision to a band of AC coefficients
// of one block, and places newly non-zero ones.
func (d *decoder) decodeMCUACRefine(blocks []*[64]int16, comps []*component) {
	st := &d.st
	if st.insufficient {
		return
	}
	br := &st.br
	blk := blocks[0]
	tbl := comps[0].acTbl
	se := d.scan.se
	p1 := int16(1) << uint(d.scan.al)
	m1 := int16(-1) << uint(d.scan.al)
	refine := func(pos int) {
		if v := blk[pos]; v != 0 && br.bit() && v&p1 == 0 {
			if v >= 0 {
				blk[pos] = v + p1
			} else {
				blk[pos] = v + m1
			}
		}
	}
	k := d.scan.ss
	if st.eobrun == 0 {
		for ; k <= se; k++ {
			rs := br.decode(tbl)
			r, s := int(rs>>4), int(rs&15)
			var val int16
			if s != 0 {
				// The size of a new coefficient is always 1; libjpeg only
				// warns when it is not.
				if br.bit() {
					val = p1
				} else {
					val = m1
				}
			} else if r != 15 {
				st.eobrun = 1 << uint(r)
				if r != 0 {
					st.eobrun += int(br.bits(uint(r)))
				}
				break
			}
			// Skip r zero coefficients (refining the non-zero ones on the
			// way) and stop at the next zero one.
			for k <= se {
				pos := natural[k]
				if blk[pos] != 0 {
					refine(pos)
				} else {
					r--
					if r < 0 {
						break
					}
				}
				k++
			}
			if val != 0 {
				blk[natural[k]] = val
			}
		}
	}
	if st.eobrun > 0 {
		for ; k <= se; k++ {
			refine(natural[k])
		}
		st.eobrun--
	}
}
