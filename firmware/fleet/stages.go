package fleet

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Stage is one step of a rollout: how many of the group's devices run the
// new version once it is done, as a count ("1") or a share ("10%").
// Stages are cumulative: "1,10%,100%" is one device, then a tenth of the
// group in all, then everyone.
type Stage struct {
	Spec    string  // as written
	Count   int     // devices in all, when Spec is a count
	Percent float64 // share of the group in all, when Spec ends in %
}

// Upto is the number of devices of a group of n that the stage covers.
func (s Stage) Upto(n int) int {
	if s.Percent > 0 {
		// A stage of a share covers at least one device.
		return min(n, max(1, int(math.Ceil(s.Percent*float64(n)/100-1e-9))))
	}
	return min(n, s.Count)
}

// ParseStages reads a comma-separated list such as "1,10%,100%".
func ParseStages(spec string) ([]Stage, error) {
	var out []Stage
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		s := Stage{Spec: part}
		if p, ok := strings.CutSuffix(part, "%"); ok {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil || math.IsNaN(v) || v <= 0 || v > 100 {
				return nil, fmt.Errorf("fleet.ParseStages: stage %q: want a share from 0%% (exclusive) to 100%%", part)
			}
			s.Percent = v
		} else {
			v, err := strconv.Atoi(part)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("fleet.ParseStages: stage %q: want a device count (1, 5) or a share (10%%)", part)
			}
			s.Count = v
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("fleet.ParseStages: no stages in %q", spec)
	}
	return out, nil
}

// Assign splits devices into the stages' new devices: stage i gets those
// that its cumulative size adds to the stages before it. The devices are
// taken in sorted order, so the same group always gives the same canaries;
// done lists devices already assigned to earlier stages (a resumed
// rollout), which are kept where they were. Stages that add no device
// (10% of 5 devices after a first stage of 1) come back empty.
func Assign(devices []string, stages []Stage, done [][]string) [][]string {
	assigned := map[string]bool{}
	out := make([][]string, len(stages))
	total := 0
	for i, d := range done {
		if i >= len(out) {
			break
		}
		out[i] = slices.Clone(d)
		for _, dev := range d {
			assigned[dev] = true
		}
		total += len(d)
	}
	var free []string
	for _, d := range slices.Sorted(slices.Values(devices)) {
		if !assigned[d] {
			free = append(free, d)
		}
	}
	n := total + len(free)
	for i := len(done); i < len(stages); i++ {
		want := stages[i].Upto(n) - total
		if want <= 0 {
			continue
		}
		out[i] = free[:want:want]
		free = free[want:]
		total += want
	}
	return out
}
