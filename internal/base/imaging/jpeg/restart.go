package jpeg

// restartIfDue handles a restart interval boundary before an MCU
// (jdhuff.c process_restart and jdmarker.c read_restart_marker with the
// default resync_to_restart).
func (d *decoder) restartIfDue() {
	st := &d.st
	if d.restartInterval == 0 {
		return
	}
	if st.restartsToGo == 0 {
		// Throw away buffered bits and find the next marker.
		d.pos = st.br.pos
		unread := true
		m, err := d.readMarker()
		if err != nil {
			// Out of data: what follows decodes from zero bits.
			m = 0
			unread = false
			d.pos = len(d.data)
			st.br.reset(d.pos)
			st.br.atEOF = true
		}
		for m != 0 {
			want := byte(mRST0 + st.nextRestart)
			if m == want {
				unread = false
				break
			}
			action := 1
			switch {
			case m < mSOF0:
				action = 2
			case m < mRST0 || m > mRST7:
				action = 3
			case m == byte(mRST0+(st.nextRestart+1)&7) || m == byte(mRST0+(st.nextRestart+2)&7):
				action = 3
			case m == byte(mRST0+(st.nextRestart+7)&7) || m == byte(mRST0+(st.nextRestart+6)&7):
				action = 2
			}
			if action == 1 {
				unread = false
				break
			}
			if action == 3 {
				// Leave the marker for later: back up to its FF.
				d.pos -= 2
				break
			}
			if m, err = d.readMarker(); err != nil {
				m = 0
				unread = false
				d.pos = len(d.data)
			}
		}
		if m != 0 {
			st.br.reset(d.pos)
			if unread {
				st.br.atMarker = true
			} else {
				st.insufficient = false
			}
		}
		for _, c := range d.scan.comps {
			c.dcPred = 0
		}
		st.eobrun = 0
		st.nextRestart = (st.nextRestart + 1) & 7
		st.restartsToGo = d.restartInterval
	}
	st.restartsToGo--
}
