package ota

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// State is a step of the update.
type State string

// The states; see the package documentation for the diagram.
const (
	Idle        State = "idle"
	Downloading State = "downloading"
	Verifying   State = "verifying"
	Staged      State = "staged"
	SelfTest    State = "self_test"
	Shadow      State = "shadow"
	Activating  State = "activating"
	Probation   State = "probation"
	Committed   State = "committed"
	Failed      State = "failed"
	RollingBack State = "rolling_back"
	RolledBack  State = "rolled_back"
)

// Number is the state as a small integer for the fovea_ota_state gauge.
func (s State) Number() int {
	for i, v := range allStates {
		if v == s {
			return i
		}
	}
	return -1
}

var allStates = []State{Idle, Downloading, Verifying, Staged, SelfTest, Shadow, Activating, Probation, Committed, Failed, RollingBack, RolledBack}

// States lists every state in Number order.
func States() []State { return append([]State(nil), allStates...) }

// busy reports whether s is part of an update in progress.
func (s State) busy() bool {
	switch s {
	case Idle, Committed, Failed, RolledBack:
		return false
	}
	return true
}

// Status is the machine's persisted and published state.
type Status struct {
	// Device and Group identify the publisher (fleet tools read them).
	Device string `json:"device,omitempty"`
	Group  string `json:"group,omitempty"`
	State  State  `json:"state"`
	// Version is the candidate's version during an update, and the
	// outcome's afterwards.
	Version string `json:"version,omitempty"`
	// Active is the running version ("" = the configured model.path) and
	// Previous the rollback target.
	Active   string `json:"active"`
	Previous string `json:"previous,omitempty"`
	// ActiveSHA256 is the running model file's sha256.
	ActiveSHA256 string `json:"active_sha256,omitempty"`
	// Deployment is the id of the deployment in progress or last handled;
	// LastApplied is the highest id acted on (replay protection).
	Deployment  uint64   `json:"deployment,omitempty"`
	LastApplied uint64   `json:"last_applied"`
	Progress    Progress `json:"progress"`
	// Reason explains the last transition ("self-test passed", "shadow:
	// agreement 12% < 85%").
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
	// Gates is the measurement of the last shadow or probation run.
	Gates *Measure `json:"gates,omitempty"`
	// Rejected is why the last deployment message was refused before it
	// started an update (bad signature, unknown key, expired), with When.
	Rejected   string    `json:"rejected,omitempty"`
	RejectedAt time.Time `json:"rejected_at,omitzero"`
	// History lists the latest transitions, oldest first.
	History []Transition `json:"history,omitempty"`

	// Envelope is the signed deployment being executed, kept byte for
	// byte (base64 in the state file, which is indented: a JSON value
	// would be re-formatted and no longer match its signature) to resume
	// after a restart, when it is verified again.
	Envelope []byte `json:"envelope,omitempty"`
	// RollbackTo and RollbackPrevious are the store pointers to restore on
	// rollback.
	RollbackTo       string `json:"rollback_to,omitempty"`
	RollbackPrevious string `json:"rollback_previous,omitempty"`
	// Restarts counts agent restarts during this probation.
	Restarts int `json:"restarts,omitempty"`
}

// Progress is the download's.
type Progress struct {
	Bytes   int64   `json:"bytes"`
	Total   int64   `json:"total"`
	Percent float64 `json:"percent"`
}

// Transition is one recorded state change.
type Transition struct {
	From    State     `json:"from"`
	To      State     `json:"to"`
	Version string    `json:"version,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// maxHistory bounds Status.History.
const maxHistory = 20

// stateFile is where the status is persisted, under <data_dir>/ota.
const stateFile = "state.json"

func loadStatus(dir string) (Status, error) {
	var st Status
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return Status{State: Idle}, nil
	}
	if err != nil {
		return st, fmt.Errorf("ota: reading state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		// Written atomically: only a hand edit or a failing card gets here.
		return st, fmt.Errorf("ota: %s is not valid JSON (edited by hand?): %w", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

func saveStatus(dir string, st *Status) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, stateFile), b, 0o644); err != nil {
		return fmt.Errorf("ota: saving state: %w", err)
	}
	return nil
}

// Public is the status as published and shown: without the signed
// envelope, which devices keep only to resume.
func (s Status) Public() Status {
	s.Envelope = nil
	return s
}

// ReadStatus reads the persisted status in dir (<data_dir>/ota) without
// running anything: for `fovea model list` and other offline tools.
func ReadStatus(dir string) (Status, error) { return loadStatus(dir) }

// Busy reports whether s is part of an update in progress.
func (s State) Busy() bool { return s.busy() }
