package fetch

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// httpMeta is kept beside a partial download so that a later Fetch (after a
// restart, too) resumes only a prefix of the same file.
type httpMeta struct {
	URL          string `json:"url"`
	SHA256       string `json:"sha256"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// loadHTTPMeta returns the saved state, or the zero value when there is
// none or it does not decode (the download then starts over).
func loadHTTPMeta(path string) httpMeta {
	var m httpMeta
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &m) != nil {
		return httpMeta{}
	}
	return m
}

func (m *httpMeta) save(path string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
}

// validator is the If-Range value: a strong ETag, else Last-Modified.
// A weak ETag ("W/…") may not be used with If-Range (RFC 9110, 13.1.5).
func (m *httpMeta) validator() string {
	if m.ETag != "" && len(m.ETag) > 2 && m.ETag[:2] != "W/" {
		return m.ETag
	}
	return m.LastModified
}

// update takes the validators from a response; it reports a change.
func (m *httpMeta) update(h http.Header) bool {
	etag, lm := h.Get("ETag"), h.Get("Last-Modified")
	if etag == m.ETag && lm == m.LastModified {
		return false
	}
	m.ETag, m.LastModified = etag, lm
	return true
}
