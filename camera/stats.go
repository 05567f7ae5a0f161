package camera

// Stats counts what happened to a source's frames. All counts are totals
// since the source was opened.
type Stats struct {
	// Frames is the number of frames delivered by Next.
	Frames uint64
	// Dropped counts frames discarded by the fps cap.
	Dropped uint64
	// Skipped counts inputs that could not be decoded and were passed over
	// (an unreadable file in a folder, a corrupt part in a stream).
	Skipped uint64
	// Reconnects counts successful reopenings after the source was lost.
	Reconnects uint64
	// Errors counts errors returned by Next and failed reconnect attempts,
	// not counting the end of a finite source or a cancelled context.
	Errors uint64
}

// Statser is implemented by sources that count their frames; every source
// and wrapper in this module does.
type Statser interface {
	Stats() Stats
}

// StatsOf returns src's counters, or zero Stats when src does not count.
// It is safe to call while another goroutine calls Next.
func StatsOf(src Source) Stats {
	if s, ok := src.(Statser); ok {
		return s.Stats()
	}
	return Stats{}
}

// add returns the sum of s and o.
func (s Stats) add(o Stats) Stats {
	return Stats{
		Frames:     s.Frames + o.Frames,
		Dropped:    s.Dropped + o.Dropped,
		Skipped:    s.Skipped + o.Skipped,
		Reconnects: s.Reconnects + o.Reconnects,
		Errors:     s.Errors + o.Errors,
	}
}
