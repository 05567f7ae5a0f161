package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// current is current.json: which version runs and which one a rollback
// returns to.
type current struct {
	Active   string `json:"active,omitempty"`
	Previous string `json:"previous,omitempty"`
}

func (s *Store) readCurrent() (current, error) {
	var c current
	b, err := os.ReadFile(filepath.Join(s.dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		// Written atomically, so only a hand edit gets here.
		return c, fmt.Errorf("store: %s: %w", currentFile, err)
	}
	return c, nil
}

func (s *Store) writeCurrent(c current) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(s.dir, currentFile), b, 0o644)
}

// Pointers returns the active and previous version names as recorded,
// without verifying them.
func (s *Store) Pointers() (active, previous string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.readCurrent()
	return c.Active, c.Previous, err
}

// SetActive records version as active, verifying it first; the version
// that was active becomes previous. An empty version returns to the
// configured model (previous keeps the old active).
func (s *Store) SetActive(version string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if version != "" {
		if _, err := s.get(version); err != nil {
			return fmt.Errorf("store.SetActive: %w", err)
		}
	}
	c, err := s.readCurrent()
	if err != nil {
		return fmt.Errorf("store.SetActive: %w", err)
	}
	if c.Active == version {
		return nil
	}
	next := current{Active: version, Previous: c.Active}
	if c.Active == "" {
		next.Previous = c.Previous
	}
	if err := s.writeCurrent(next); err != nil {
		return fmt.Errorf("store.SetActive: %w", err)
	}
	return nil
}

// SetPointers writes both pointers as given (after verifying non-empty
// ones): a rollback sets active back to previous and previous to what was
// before it.
func (s *Store) SetPointers(active, previous string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range []string{active, previous} {
		if v == "" {
			continue
		}
		if _, err := s.get(v); err != nil {
			return fmt.Errorf("store.SetPointers: %w", err)
		}
	}
	if err := s.writeCurrent(current{Active: active, Previous: previous}); err != nil {
		return fmt.Errorf("store.SetPointers: %w", err)
	}
	return nil
}

// Active returns the verified active version, ErrNoActive when none is
// set.
func (s *Store) Active() (*Version, error) {
	a, _, err := s.Pointers()
	if err != nil {
		return nil, err
	}
	if a == "" {
		return nil, fmt.Errorf("store.Active: %w", ErrNoActive)
	}
	return s.Get(a)
}

// Previous returns the verified rollback target, ErrNotFound when none.
func (s *Store) Previous() (*Version, error) {
	_, p, err := s.Pointers()
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, fmt.Errorf("store.Previous: %w", ErrNotFound)
	}
	return s.Get(p)
}

// Resolve picks the version to start with: the active one if it verifies,
// else the previous one (recording the fall-back in current.json), else
// none (ErrNoActive: run the configured model). reason says why the active
// version was skipped.
func (s *Store) Resolve() (v *Version, reason string, err error) {
	a, p, err := s.Pointers()
	if err != nil {
		return nil, "", err
	}
	if a == "" {
		return nil, "", fmt.Errorf("store.Resolve: %w", ErrNoActive)
	}
	v, aerr := s.Get(a)
	if aerr == nil {
		return v, "", nil
	}
	reason = fmt.Sprintf("active version %s refused: %v", a, aerr)
	s.log.Error("installed model refused at start", "version", a, "err", aerr)
	if p != "" {
		if pv, err := s.Get(p); err == nil {
			if err := s.SetPointers(p, ""); err != nil {
				return nil, reason, err
			}
			return pv, reason, nil
		}
	}
	if err := s.SetPointers("", ""); err != nil {
		return nil, reason, err
	}
	return nil, reason, fmt.Errorf("store.Resolve: %w", ErrNoActive)
}

// Prune removes the oldest versions beyond keep, never the active or
// previous one, and returns the removed version names.
func (s *Store) Prune(keep int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.readCurrent()
	if err != nil {
		return nil, err
	}
	names, err := s.versionDirs()
	if err != nil {
		return nil, fmt.Errorf("store.Prune: %w", err)
	}
	var removed []string
	kept := 0
	for _, n := range names {
		if n == c.Active || n == c.Previous || kept < keep {
			kept++
			continue
		}
		// Rename first so that a crash mid-removal leaves a staging
		// directory (cleaned on Open), never a half-deleted version.
		tmp := filepath.Join(s.dir, stagingPrefix+"rm-"+n)
		if err := os.Rename(filepath.Join(s.dir, n), tmp); err != nil {
			return removed, fmt.Errorf("store.Prune: %w", err)
		}
		if err := os.RemoveAll(tmp); err != nil {
			return removed, fmt.Errorf("store.Prune: %w", err)
		}
		removed = append(removed, n)
	}
	if len(removed) > 0 {
		if err := atomicfile.SyncDir(s.dir); err != nil {
			return removed, fmt.Errorf("store.Prune: %w", err)
		}
	}
	return removed, nil
}

// Remove deletes one installed version that is neither active nor
// previous.
func (s *Store) Remove(version string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.readCurrent()
	if err != nil {
		return err
	}
	if version == c.Active || version == c.Previous {
		return fmt.Errorf("store.Remove %s: %w", version, ErrInUse)
	}
	names, err := s.versionDirs()
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == version {
			tmp := filepath.Join(s.dir, stagingPrefix+"rm-"+n)
			if err := os.Rename(filepath.Join(s.dir, n), tmp); err != nil {
				return fmt.Errorf("store.Remove: %w", err)
			}
			return os.RemoveAll(tmp)
		}
	}
	return fmt.Errorf("store.Remove %s: %w", version, ErrNotFound)
}
