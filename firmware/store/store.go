// Package store keeps the model versions installed on a device under
// <data_dir>/models:
//
//	models/
//	  1.2.0/           model.tflite, labels.txt, test-*.png, manifest.json, manifest.sig
//	  1.3.0/
//	  current.json     {"active":"1.3.0","previous":"1.2.0"}
//	  .staging-*/      a bundle being extracted (removed on Open)
//
// A version directory appears only complete and verified: a bundle is
// extracted into a staging directory, every file and the directory are
// synced, and the directory is renamed into place and its parent synced.
// current.json is replaced atomically (write, sync, rename, sync). A crash
// at any point leaves the previous state or the new one. Reading a version
// (Get, Resolve) verifies its signature and hashes again, so a file
// corrupted on the card or edited by hand is never loaded.
package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/semver"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

var (
	// ErrNotFound marks a version that is not installed.
	ErrNotFound = errors.New("model version is not installed")
	// ErrNoActive marks a store with no active version (the configured
	// model.path runs).
	ErrNoActive = errors.New("no installed model is active")
	// ErrConflict marks an install of a version that is installed with
	// different content.
	ErrConflict = errors.New("this version is already installed with different content")
	// ErrInUse marks removing the active or previous version.
	ErrInUse = errors.New("version is active or the rollback target")
)

const (
	currentFile   = "current.json"
	stagingPrefix = ".staging-"
)

// Store is the models directory. Its methods are safe for concurrent use.
type Store struct {
	dir   string
	trust *sign.Trust
	lim   bundle.Limits
	log   *slog.Logger

	mu sync.Mutex // serialises writers
}

// Version is one installed version.
type Version struct {
	Version  string
	Dir      string
	Manifest *bundle.Manifest
	// Active and Previous mark current.json's entries.
	Active, Previous bool
}

// ModelPath is the .tflite file of v.
func (v *Version) ModelPath() string { return filepath.Join(v.Dir, v.Manifest.Model) }

// LabelsPath is the labels file of v.
func (v *Version) LabelsPath() string { return filepath.Join(v.Dir, v.Manifest.Labels) }

// SHA256 is the model file's sha256.
func (v *Version) SHA256() string { return v.Manifest.ModelSHA256() }

// Open opens (creating) <dataDir>/models and removes staging directories a
// crash left behind.
func Open(dataDir string, trust *sign.Trust, lim bundle.Limits, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(dataDir, "models")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), stagingPrefix) || strings.HasPrefix(e.Name(), "."+currentFile) {
			log.Info("removing an interrupted install", "path", e.Name())
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return nil, fmt.Errorf("store.Open: %w", err)
			}
		}
	}
	return &Store{dir: dir, trust: trust, lim: lim, log: log}, nil
}

// Dir is the models directory.
func (s *Store) Dir() string { return s.dir }

// Install verifies the bundle file against the store's trust and installs
// it as models/<version>. Installing a version that is present with the
// same signed manifest is a no-op; with another manifest it is
// ErrConflict. The bundle's install policy (downgrade, agent version) is
// the caller's to check.
func (s *Store) Install(bundlePath string) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	staging, err := os.MkdirTemp(s.dir, stagingPrefix)
	if err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	defer os.RemoveAll(staging) // a no-op after the rename
	v, err := bundle.ExtractFile(bundlePath, s.trust, staging, s.lim)
	if err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	ver := v.Manifest.Version
	final := filepath.Join(s.dir, ver)
	if old, err := os.ReadFile(filepath.Join(final, bundle.ManifestFile)); err == nil {
		if string(old) != string(v.ManifestBytes) {
			return nil, fmt.Errorf("store.Install: %s: %w", ver, ErrConflict)
		}
		got, err := s.get(ver)
		if err == nil {
			return got, nil
		}
		// The installed copy is damaged: replace it.
		s.log.Warn("replacing a damaged installed version", "version", ver, "err", err)
		if err := os.RemoveAll(final); err != nil {
			return nil, fmt.Errorf("store.Install: %w", err)
		}
	}
	if err := atomicfile.SyncDir(staging); err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	if err := os.Chmod(staging, 0o755); err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	if err := os.Rename(staging, final); err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	if err := atomicfile.SyncDir(s.dir); err != nil {
		return nil, fmt.Errorf("store.Install: %w", err)
	}
	return s.get(ver)
}

// Get verifies and returns an installed version.
func (s *Store) Get(version string) (*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(version)
}

func (s *Store) get(version string) (*Version, error) {
	if !semver.Valid(version) || strings.ContainsAny(version, `/\`) {
		return nil, fmt.Errorf("store.Get %q: %w", version, ErrNotFound)
	}
	dir := filepath.Join(s.dir, version)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store.Get %s: %w", version, ErrNotFound)
	}
	v, err := bundle.VerifyDir(dir, s.trust, s.lim)
	if err != nil {
		return nil, fmt.Errorf("store.Get: %w", err)
	}
	if v.Manifest.Version != version {
		return nil, fmt.Errorf("store.Get: directory %s holds version %s: %w", version, v.Manifest.Version, bundle.ErrMismatch)
	}
	cur, err := s.readCurrent()
	if err != nil {
		return nil, err
	}
	return &Version{Version: version, Dir: dir, Manifest: v.Manifest, Active: cur.Active == version, Previous: cur.Previous == version}, nil
}

// List returns the installed versions, newest first. A version that fails
// verification is left out and logged.
func (s *Store) List() ([]*Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.versionDirs()
	if err != nil {
		return nil, fmt.Errorf("store.List: %w", err)
	}
	var out []*Version
	for _, n := range names {
		v, err := s.get(n)
		if err != nil {
			s.log.Warn("installed model version fails verification", "version", n, "err", err)
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// versionDirs lists directory names that are versions, newest first.
func (s *Store) versionDirs() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && semver.Valid(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		c, _ := semver.Compare(b, a)
		return c
	})
	return names, nil
}
