package ota

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"crypto/sha256"
	"encoding/hex"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// Fetcher brings the bundle a deployment names to dst: it writes a
// temporary file, checks the size and sha256 the deployment announced,
// and renames it to dst only when both match. progress reports bytes held
// and the total. firmware/fetch implements the HTTP and MQTT transports;
// FileFetcher copies file:// URLs.
type Fetcher interface {
	Fetch(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error
}

// FetcherFunc adapts a function to Fetcher.
type FetcherFunc func(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error

// Fetch calls f.
func (f FetcherFunc) Fetch(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error {
	return f(ctx, d, dst, progress)
}

// Host is the agent's side: its model holder. A nil *store.Version means
// the model of the configuration (model.path), which runs when no
// installed version is active.
type Host interface {
	// Activate loads v as the agent loads models and makes it the model
	// every worker uses from its next frame. On error nothing changes.
	Activate(v *store.Version) error
	// StartShadow loads v and runs it beside the active model on every
	// frame, calling fn with both outcomes and the frame's truth ("" when
	// unknown); fn must be quick. It replaces a running shadow.
	StartShadow(v *store.Version, fn func(active, shadow Outcome, truth string)) error
	// StopShadow ends the shadow run, if any.
	StopShadow()
	// Input is the active model's first input: a candidate must take the
	// same.
	Input() infer.TensorInfo
}

// ErrFetch marks a bundle the fetcher could not bring.
var ErrFetch = errors.New("bundle download failed")

// FileFetcher copies bundles named by file:// URLs (a USB stick, a
// directory the operator copies into) with the checks of a Fetcher.
type FileFetcher struct{}

// Fetch implements Fetcher.
func (FileFetcher) Fetch(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error {
	u, err := url.Parse(d.URL)
	if err != nil || u.Scheme != "file" {
		return fmt.Errorf("ota.FileFetcher: %q is not a file URL: %w", d.URL, ErrFetch)
	}
	src, err := os.Open(u.Path)
	if err != nil {
		return fmt.Errorf("ota.FileFetcher: %w: %w", ErrFetch, err)
	}
	defer src.Close()
	tmp := dst + ".partial"
	out, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("ota.FileFetcher: %w", err)
	}
	defer os.Remove(tmp) // a no-op after the rename
	h := sha256.New()
	w := io.MultiWriter(out, h)
	var done int64
	buf := make([]byte, 256<<10)
	for done <= d.Size {
		if err := ctx.Err(); err != nil {
			out.Close()
			return err
		}
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				out.Close()
				return fmt.Errorf("ota.FileFetcher: %w", err)
			}
			done += int64(n)
			if progress != nil {
				progress(min(done, d.Size), d.Size)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return fmt.Errorf("ota.FileFetcher: %w: %w", ErrFetch, rerr)
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("ota.FileFetcher: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("ota.FileFetcher: %w", err)
	}
	if done != d.Size {
		return fmt.Errorf("ota.FileFetcher: %w: %s has %d bytes; the deployment says %d", ErrFetch, u.Path, done, d.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != d.SHA256 {
		return fmt.Errorf("ota.FileFetcher: %w: %s has sha256 %s; the deployment says %s", ErrFetch, u.Path, got, d.SHA256)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("ota.FileFetcher: %w", err)
	}
	return atomicfile.SyncDir(filepath.Dir(dst))
}
