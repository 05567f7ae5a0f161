package fetch

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourceValidate(t *testing.T) {
	sum := sumHex([]byte("x"))
	tests := []struct {
		name   string
		src    Source
		scheme string
		err    string
	}{
		{"https", Source{URL: "https://h/b.fovea", Size: 1, SHA256: sum}, "https", ""},
		{"HTTP upper case", Source{URL: "HTTP://h/b", Size: 1, SHA256: strings.ToUpper(sum)}, "http", ""},
		{"mqtt", Source{TransferID: "shapes-1.2.0", Size: 1, SHA256: sum}, "mqtt", ""},
		{"neither", Source{Size: 1, SHA256: sum}, "", "neither"},
		{"both", Source{URL: "http://h/b", TransferID: "a", Size: 1, SHA256: sum}, "mqtt", "both"},
		{"no size", Source{URL: "http://h/b", SHA256: sum}, "http", "size 0"},
		{"short hash", Source{URL: "http://h/b", Size: 1, SHA256: sum[:10]}, "http", "64 hex digits"},
		{"file (for a fetcher the agent registers)", Source{URL: "file:///media/usb/b.fovea", Size: 1, SHA256: sum}, "file", ""},
		{"no scheme", Source{URL: "h/b", Size: 1, SHA256: sum}, "", "has no scheme"},
		{"id with slash", Source{TransferID: "a/b", Size: 1, SHA256: sum}, "mqtt", "only letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.src.Scheme(); got != tt.scheme {
				t.Errorf("Scheme() = %q; want %q", got, tt.scheme)
			}
			err := tt.src.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Validate() = %v; want ErrSource containing %q", err, tt.err)
			}
		})
	}
}

func TestMux(t *testing.T) {
	data := testData(10_000, 7)
	s := &fileServer{}
	s.replace(data, `"m"`)
	srv := httptest.NewServer(s)
	defer srv.Close()
	mux := NewMux()
	mux.Handle("http", newHTTP(t, HTTPOptions{}))
	dst := filepath.Join(t.TempDir(), "b.fovea")
	if err := mux.Fetch(context.Background(), Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(data)}, dst, nil); err != nil {
		t.Fatalf("Mux.Fetch(http) = %v", err)
	}
	checkFile(t, dst, data)
	for _, src := range []Source{
		{TransferID: "x", Size: 1, SHA256: sumHex(data)},
		{URL: "ftp://h/b", Size: 1, SHA256: sumHex(data)},
	} {
		err := mux.Fetch(context.Background(), src, dst+"2", nil)
		want := `no transport for "` + src.Scheme() + `" in this agent (have http)`
		if !errors.Is(err, ErrSource) || !strings.Contains(err.Error(), want) {
			t.Errorf("Mux.Fetch(%s) = %v; want ErrSource containing %q", src, err, want)
		}
	}
}
