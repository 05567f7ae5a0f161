package monitor

// alarm is the hysteresis of one test: it raises after persist
// consecutive scores ≥ raise and clears after clearPersist (normally
// persist) consecutive scores ≤ clear.
type alarm struct {
	kind, test   string
	raise, clear float64
	persist      int
	clearPersist int

	active bool
	streak int
	score  float64 // last score
}

func newAlarm(kind, test string, t Threshold, persist int) alarm {
	return alarm{kind: kind, test: test, raise: t.Raise, clear: t.Clear, persist: persist, clearPersist: persist}
}

// update takes one score and reports whether the state changed.
func (a *alarm) update(score float64) bool {
	a.score = score
	beyond := score >= a.raise
	if a.active {
		beyond = score <= a.clear
	}
	if !beyond {
		a.streak = 0
		return false
	}
	a.streak++
	need := a.persist
	if a.active {
		need = a.clearPersist
	}
	if a.streak < need {
		return false
	}
	a.active, a.streak = !a.active, 0
	return true
}

// reset forgets the state (a new reference or model).
func (a *alarm) reset() { a.active, a.streak, a.score = false, 0, 0 }

func (a *alarm) thresholds() EventThresholds {
	return EventThresholds{Raise: a.raise, Clear: a.clear, Persist: a.persist}
}

func (a *alarm) state() string {
	if a.active {
		return StateRaised
	}
	return StateCleared
}
