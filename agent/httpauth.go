package agent

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/fovea-edge/fovea/agent/config"
)

// Minimum secret lengths: a guessable secret on a LAN is no protection.
const (
	minPasswordLen = 8
	minTokenLen    = 16
)

// httpAuth checks the credentials of requests to the status server
// (http.auth). It keeps only SHA-256 digests of the secrets and compares
// digests in constant time, so neither the secret nor its length leaks
// through timing. Secrets are never logged.
type httpAuth struct {
	basic    bool
	user     [sha256.Size]byte
	password [sha256.Size]byte
	token    [sha256.Size]byte
	hasToken bool
}

// loadHTTPAuth reads the secrets a names; nil when no auth is configured.
func loadHTTPAuth(a config.HTTPAuth, getenv func(string) string) (*httpAuth, error) {
	if !a.Enabled() {
		return nil, nil
	}
	h := &httpAuth{}
	if a.Basic() {
		pw, err := readSecret("http.auth.password", a.PasswordFile, a.PasswordEnv, minPasswordLen, getenv)
		if err != nil {
			return nil, err
		}
		h.basic = true
		h.user = sha256.Sum256([]byte(a.User))
		h.password = sha256.Sum256([]byte(pw))
	}
	if a.Token() {
		tok, err := readSecret("http.auth.token", a.TokenFile, a.TokenEnv, minTokenLen, getenv)
		if err != nil {
			return nil, err
		}
		h.hasToken = true
		h.token = sha256.Sum256([]byte(tok))
	}
	return h, nil
}

// readSecret returns the first line of file, or the value of the
// environment variable env. Errors name the key and the source, never the
// secret.
func readSecret(key, file, env string, minLen int, getenv func(string) string) (string, error) {
	var secret string
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("%s_file: %w (create it, readable by the fovea user only: chmod 0640, group fovea)", key, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		if sc.Scan() {
			secret = strings.TrimRight(sc.Text(), "\r")
		}
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("%s_file %s: %w", key, file, err)
		}
		if len(secret) < minLen {
			return "", fmt.Errorf("%s_file %s: the first line must hold at least %d characters", key, file, minLen)
		}
		return secret, nil
	}
	secret = getenv(env)
	if len(secret) < minLen {
		return "", fmt.Errorf("%s_env: the environment variable %s must hold at least %d characters (it has %d)", key, env, minLen, len(secret))
	}
	return secret, nil
}

// allowed reports whether r carries valid credentials: basic auth or a
// bearer token, whichever is configured.
func (h *httpAuth) allowed(r *http.Request) bool {
	if h.basic {
		if u, p, ok := r.BasicAuth(); ok {
			uh, ph := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
			// Both compared, always: & not &&.
			if subtle.ConstantTimeCompare(uh[:], h.user[:])&subtle.ConstantTimeCompare(ph[:], h.password[:]) == 1 {
				return true
			}
		}
	}
	if h.hasToken {
		const prefix = "bearer "
		v := r.Header.Get("Authorization")
		if len(v) > len(prefix) && strings.EqualFold(v[:len(prefix)], prefix) {
			th := sha256.Sum256([]byte(strings.TrimSpace(v[len(prefix):])))
			if subtle.ConstantTimeCompare(th[:], h.token[:]) == 1 {
				return true
			}
		}
	}
	return false
}

// wrap requires credentials for every path but /healthz, which liveness
// probes call and which says nothing but "ok".
func (h *httpAuth) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || h.allowed(r) {
			next.ServeHTTP(w, r)
			return
		}
		if h.basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="fovea", charset="UTF-8"`)
		}
		if h.hasToken {
			w.Header().Add("WWW-Authenticate", `Bearer realm="fovea"`)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintln(w, "fovea: authentication required (http.auth in the agent's configuration)")
	})
}

// checkHTTP reads the files that http.auth and http.tls name, for
// `fovea config check`. Secrets in environment variables are not checked:
// the service's environment is not the shell's.
func checkHTTP(h config.HTTP) []error {
	var errs []error
	if f := h.Auth.PasswordFile; f != "" {
		if _, err := readSecret("http.auth.password", f, "", minPasswordLen, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if f := h.Auth.TokenFile; f != "" {
		if _, err := readSecret("http.auth.token", f, "", minTokenLen, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if h.TLS.Cert != "" && h.TLS.Key != "" {
		if _, err := loadCert(h.TLS); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// loadCert reads the certificate and key of http.tls.
func loadCert(t config.HTTPTLS) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			return cert, fmt.Errorf("http.tls: %w", err)
		}
		return cert, fmt.Errorf("http.tls: cert %s and key %s: %w (both PEM, the key matching the certificate)", t.Cert, t.Key, err)
	}
	return cert, nil
}

// serveTLS wraps ln in TLS with the certificate of http.tls, when set.
func serveTLS(ln net.Listener, t config.HTTPTLS) (net.Listener, error) {
	if !t.Enabled() {
		return ln, nil
	}
	cert, err := loadCert(t)
	if err != nil {
		return nil, err
	}
	return tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}), nil
}
