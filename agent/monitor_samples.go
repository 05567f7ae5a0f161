package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// Pull commands for captured samples: samples never leave the device by
// themselves; an operator lists, fetches and deletes them.
const (
	CmdSamplesList   = "samples/list"
	CmdSamplesGet    = "samples/get"
	CmdSamplesDelete = "samples/delete"
)

// SampleData is a fetched sample: its provenance and PNG bytes (base64 in
// JSON).
type SampleData struct {
	capture.Sample
	PNG []byte `json:"png"`
}

type sampleArgs struct {
	ID string `json:"id"`
}

func (f *monitorFeature) registerSamples(s *mqttsync.Syncer) {
	s.Handle(CmdSamplesList, func(context.Context, mqttsync.Command) (any, error) {
		list, err := f.listSamples()
		return map[string]any{"samples": list}, err
	})
	s.Handle(CmdSamplesGet, func(_ context.Context, cmd mqttsync.Command) (any, error) {
		var a sampleArgs
		if err := json.Unmarshal(cmd.Args, &a); err != nil {
			return nil, fmt.Errorf("samples/get: args must be {\"id\": \"<camera>/<seq>\"}: %w", err)
		}
		return f.readSample(a.ID)
	})
	s.Handle(CmdSamplesDelete, func(_ context.Context, cmd mqttsync.Command) (any, error) {
		var a sampleArgs
		if err := json.Unmarshal(cmd.Args, &a); err != nil {
			return nil, fmt.Errorf("samples/delete: args must be {\"id\": \"<camera>/<seq>\"}: %w", err)
		}
		if _, err := f.readSample(a.ID); err != nil {
			return nil, err
		}
		if err := removeSample(f.samplesDir(), a.ID); err != nil {
			return nil, err
		}
		f.m.Capturer().Forget(a.ID)
		return map[string]string{"deleted": a.ID}, nil
	})
}

// listSamples returns the provenance of every kept sample, by id.
func (f *monitorFeature) listSamples() ([]capture.Sample, error) {
	var out []capture.Sample
	err := filepath.WalkDir(f.samplesDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".json" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var s capture.Sample
		if json.Unmarshal(b, &s) == nil && s.ID != "" {
			out = append(out, s)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Provenance, out[j].Provenance
		if a.Camera != b.Camera {
			return a.Camera < b.Camera
		}
		return a.Seq < b.Seq
	})
	return out, err
}

// readSample reads one kept sample.
func (f *monitorFeature) readSample(id string) (*SampleData, error) {
	png, meta, err := samplePaths(f.samplesDir(), id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(meta)
	if err != nil {
		return nil, fmt.Errorf("sample %s: %w", id, err)
	}
	var d SampleData
	if err := json.Unmarshal(b, &d.Sample); err != nil {
		return nil, fmt.Errorf("sample %s: %w", id, err)
	}
	if d.PNG, err = os.ReadFile(png); err != nil {
		return nil, fmt.Errorf("sample %s: %w", id, err)
	}
	return &d, nil
}

// serveSamples is GET /api/samples (the list) and
// GET /api/samples/{camera}/{seq}.png (one picture); local clients only.
func (f *monitorFeature) serveSamples(w http.ResponseWriter, r *http.Request) {
	list, err := f.listSamples()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"samples": list})
}

func (f *monitorFeature) serveSamplePNG(w http.ResponseWriter, r *http.Request) {
	seq, ok := strings.CutSuffix(r.PathValue("seq"), ".png")
	if !ok {
		http.NotFound(w, r)
		return
	}
	d, err := f.readSample(r.PathValue("camera") + "/" + seq)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(d.PNG)
}
