package fleet

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Printer shows rollout progress: on a terminal one bar per stage,
// redrawn in place; elsewhere (a log, CI) one plain line per change.
type Printer struct {
	W   io.Writer
	TTY bool
	// Width is the bar's width in characters (default 30).
	Width int

	last string // the last plain line, to print only changes
}

// Progress prints p; use it as Options.Progress.
func (pr *Printer) Progress(p Progress) {
	if pr.TTY {
		fmt.Fprintf(pr.W, "\r\033[K%s", pr.bar(p))
		if p.Final {
			fmt.Fprintln(pr.W)
		}
		return
	}
	line := pr.line(p)
	if line != pr.last || p.Final {
		pr.last = line
		fmt.Fprintf(pr.W, "%s  %s\n", line, p.Elapsed.Round(time.Second))
	}
}

func (pr *Printer) bar(p Progress) string {
	w := pr.Width
	if w <= 0 {
		w = 30
	}
	done, failed := 0, 0
	if p.Devices > 0 {
		done = w * p.Committed / p.Devices
		failed = w * p.Failed / p.Devices
	}
	b := strings.Repeat("█", done) + strings.Repeat("✗", failed) + strings.Repeat("░", max(0, w-done-failed))
	return fmt.Sprintf("stage %d/%d %-5s %s %d/%d committed, %d failed%s  %s",
		p.Stage+1, p.Stages, p.Spec, b, p.Committed, p.Devices, p.Failed, pending(p), p.Elapsed.Round(time.Second))
}

func (pr *Printer) line(p Progress) string {
	return fmt.Sprintf("stage %d/%d (%s): %d/%d committed, %d failed%s",
		p.Stage+1, p.Stages, p.Spec, p.Committed, p.Devices, p.Failed, pending(p))
}

// pending lists the pending devices by state: "; 3 shadow, 2 waiting".
func pending(p Progress) string {
	if len(p.States) == 0 {
		return ""
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(p.States)) {
		name := s
		if s == "" {
			name = "waiting"
		}
		parts = append(parts, fmt.Sprintf("%d %s", p.States[s], name))
	}
	s := "; " + strings.Join(parts, ", ")
	if p.Total > 0 && p.Bytes > 0 {
		s += fmt.Sprintf(" (%.0f%% downloaded)", 100*float64(p.Bytes)/float64(p.Total))
	}
	return s
}

// Summary writes a table of the rollout's stages.
func Summary(w io.Writer, st *State, now time.Time) {
	fmt.Fprintf(w, "%s %s on group %s: %s\n", st.Name, st.Version, st.Group, st.Phase)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tDEVICES\tCOMMITTED\tFAILED\tTIME")
	for _, s := range st.Stages {
		d := "-"
		if !s.Started.IsZero() {
			d = s.Duration(now).Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", s.Spec, len(s.Devices), s.Committed, s.Failed, d)
	}
	tw.Flush()
	if st.Reason != "" {
		fmt.Fprintf(w, "reason: %s\n", st.Reason)
	}
}

// StatusTable writes one line per device: version, OTA state, the last
// transition's reason, online or offline.
func StatusTable(w io.Writer, devices []Device) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tPRESENCE\tVERSION\tOTA\tSINCE\tREASON")
	for _, d := range devices {
		presence := "unknown"
		if d.Presence {
			presence = map[bool]string{true: "online", false: "offline"}[d.Online]
		}
		version, state, since, reason := d.Version(), "-", "-", ""
		if version == "" {
			version = "(configured)"
		}
		if o := d.OTA; o != nil {
			state = string(o.State)
			if o.Version != "" && o.State != "idle" {
				state += " " + o.Version
			}
			if !o.Since.IsZero() {
				since = o.Since.Format(time.RFC3339)
			}
			reason = o.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, presence, version, state, since, oneLine(reason, 100))
	}
	tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		s = s[:n-1] + "…"
	}
	return s
}
