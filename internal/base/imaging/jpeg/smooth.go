package jpeg

// Block smoothing for progressive files (jdcoefct.c, smoothing_ok and
// decompress_smooth_data as of libjpeg-turbo 2.1): while some of the
// first nine AC coefficients of a component are not known to full
// precision, still-zero ones are estimated from the DC values of the 5×5
// neighbouring blocks; when no AC data arrived at all, the DC value is
// interpolated too.

// Natural-order positions of zig-zag coefficients 1..9.
var smoothPos = [10]int{0, 1, 8, 16, 9, 2, 3, 10, 17, 24}

// smoothingOK reports whether libjpeg would smooth this image: the file is
// progressive, every component's quantisation table is latched with
// non-zero entries at the ten positions used, every component has DC data,
// and some component lacks full precision in coefficients 1..9.
func (d *decoder) smoothingOK() bool {
	if !d.progressive {
		return false
	}
	useful := false
	for i := range d.comps {
		c := &d.comps[i]
		if !c.latched {
			return false
		}
		for _, p := range smoothPos {
			if c.qraw[p] == 0 {
				return false
			}
		}
		if c.coefBits[0] < 0 {
			return false
		}
		for k := 1; k <= 9; k++ {
			if c.coefBits[k] != 0 {
				useful = true
			}
		}
	}
	return useful
}

// predict is libjpeg's coefficient estimate from a weighted DC sum, capped
// below 2^al when al > 0 bits are still unknown.
func predict(num, q int64, al int) int16 {
	neg := num < 0
	if neg {
		num = -num
	}
	p := ((q << 7) + num) / (q << 8)
	if al > 0 && p >= 1<<uint(al) {
		p = 1<<uint(al) - 1
	}
	if neg {
		p = -p
	}
	return int16(p)
}

// idctSmoothed runs the smoothed IDCT over every block of component c,
// following decompress_smooth_data of libjpeg-turbo 2.1 including its
// quirks (see smoothRows and the DC window below).
func (d *decoder) idctSmoothed(c *component) {
	cur := c.coefBits[:10]
	// The bits libjpeg latches for rows past the last one the final scan
	// reached.
	var prev [10]int
	for k := 1; k <= 9; k++ {
		prev[k] = -1
		if d.scans > 1 {
			prev[k] = c.prevBits[k]
		}
	}
	var q [10]int64
	for i, p := range smoothPos {
		q[i] = int64(c.qraw[p])
	}
	total := d.mcusY
	dcAt := func(row, col int) int64 {
		row = min(max(row, 0), c.bh-1)
		return int64(c.coefs[(row*c.bw+col)*64])
	}
	var ws [64]int16
	for iy := 0; iy < total; iy++ {
		bits := cur
		if iy > d.lastGoodRow {
			bits = prev[:]
		}
		changeDC := true
		for k := 1; k <= 9; k++ {
			if bits[k] != -1 {
				changeDC = false
			}
		}
		blockRows := c.v
		if iy == total-1 {
			if blockRows = c.hBlk % c.v; blockRows == 0 {
				blockRows = c.v
			}
		}
		for br := 0; br < blockRows; br++ {
			row := iy*c.v + br
			if row >= c.hBlk {
				break
			}
			rows := smoothRows(row, br, blockRows, iy, total)
			// The DC window slides along the row as libjpeg's 25 registers
			// do: all start at column 0; at the first block column 1 (if
			// any) enters position 4 only, then each step shifts left and
			// brings in column block+2 while one exists. On a 2-block-wide
			// component position 5 thus keeps column 0's value.
			var dc [5][5]int64
			for r := 0; r < 5; r++ {
				v := dcAt(rows[r], 0)
				dc[r] = [5]int64{v, v, v, v, v}
			}
			last := c.wBlk - 1
			for bx := 0; bx <= last; bx++ {
				if bx == 0 && bx < last {
					for r := 0; r < 5; r++ {
						dc[r][3] = dcAt(rows[r], 1)
					}
				}
				if bx+1 < last {
					for r := 0; r < 5; r++ {
						dc[r][4] = dcAt(rows[r], bx+2)
					}
				}
				off := (row*c.bw + bx) * 64
				copy(ws[:], c.coefs[off:off+64])
				smoothBlock(&ws, &dc, bits, &q, q[0], changeDC)
				idctIslow(&ws, &c.quant, c.plane[row*8*c.stride+bx*8:], c.stride)
				for r := 0; r < 5; r++ {
					dc[r][0], dc[r][1], dc[r][2], dc[r][3] = dc[r][1], dc[r][2], dc[r][3], dc[r][4]
				}
			}
		}
	}
}

// smoothRows returns the block rows of the 5-row DC window around block
// row row (block row br of the block rows in iMCU row iy of total).
// libjpeg-turbo 2.1 tests the position within the iMCU row and the iMCU
// row separately, so near iMCU rows 1 and total-2 the window repeats a
// nearer row instead of reaching two rows away.
func smoothRows(row, br, blockRows, iy, total int) [5]int {
	prev, next := row, row
	if br > 0 || iy > 0 {
		prev = row - 1
	}
	pprev := prev
	if br > 1 || iy > 1 {
		pprev = row - 2
	}
	if br < blockRows-1 || iy < total-1 {
		next = row + 1
	}
	nnext := next
	if br < blockRows-2 || iy+1 < total-1 {
		nnext = row + 2
	}
	return [5]int{pprev, prev, row, next, nnext}
}

// smoothBlock applies the estimates to one block.
func smoothBlock(ws *[64]int16, dc *[5][5]int64, cb []int, q *[10]int64, q00 int64, changeDC bool) {
	D := func(n int) int64 { n--; return dc[n/5][n%5] } // libjpeg's DC01..DC25
	est := func(k int, num int64) {
		pos := smoothPos[k]
		if al := cb[k]; al != 0 && ws[pos] == 0 {
			ws[pos] = predict(q00*num, q[k], al)
		}
	}
	if changeDC {
		est(1, -D(1)-D(2)+D(4)+D(5)-3*D(6)+13*D(7)-13*D(9)+3*D(10)-3*D(11)+38*D(12)-38*D(14)+
			3*D(15)-3*D(16)+13*D(17)-13*D(19)+3*D(20)-D(21)-D(22)+D(24)+D(25))
		est(2, -D(1)-3*D(2)-3*D(3)-3*D(4)-D(5)-D(6)+13*D(7)+38*D(8)+13*D(9)-D(10)+D(16)-
			13*D(17)-38*D(18)-13*D(19)+D(20)+D(21)+3*D(22)+3*D(23)+3*D(24)+D(25))
		est(3, D(3)+2*D(7)+7*D(8)+2*D(9)-5*D(12)-14*D(13)-5*D(14)+2*D(17)+7*D(18)+2*D(19)+D(23))
		est(4, -D(1)+D(5)+9*D(7)-9*D(9)-9*D(17)+9*D(19)+D(21)-D(25))
		est(5, 2*D(7)-5*D(8)+2*D(9)+D(11)+7*D(12)-14*D(13)+7*D(14)+D(15)+2*D(17)-5*D(18)+2*D(19))
		est(6, D(7)-D(9)+2*D(12)-2*D(14)+D(17)-D(19))
		est(7, D(7)-3*D(8)+D(9)-D(17)+3*D(18)-D(19))
		est(8, D(7)-D(9)-3*D(12)+3*D(14)+D(17)-D(19))
		est(9, D(7)+2*D(8)+D(9)-D(17)-2*D(18)-D(19))
		num := -2*D(1) - 6*D(2) - 8*D(3) - 6*D(4) - 2*D(5) - 6*D(6) + 6*D(7) + 42*D(8) + 6*D(9) - 6*D(10) -
			8*D(11) + 42*D(12) + 152*D(13) + 42*D(14) - 8*D(15) - 6*D(16) + 6*D(17) + 42*D(18) + 6*D(19) - 6*D(20) -
			2*D(21) - 6*D(22) - 8*D(23) - 6*D(24) - 2*D(25)
		ws[0] = predict(q00*num, q00, 0)
		return
	}
	est(1, -7*D(11)+50*D(12)-50*D(14)+7*D(15))
	est(2, -7*D(3)+50*D(8)-50*D(18)+7*D(23))
	est(3, -D(3)+13*D(8)-24*D(13)+13*D(18)-D(23))
	est(4, D(10)+D(16)-10*D(17)+10*D(19)-D(2)-D(20)+D(22)-D(24)+D(4)-D(6)+10*D(7)-10*D(9))
	est(5, -D(11)+13*D(12)-24*D(13)+13*D(14)-D(15))
}
