package agent

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent/config"
)

const (
	testPassword = "correct horse battery"
	testToken    = "0123456789abcdef-token"
)

// lanAgent starts an agent on the synthetic camera with the repository's
// shapes model (no shared assets) and the given http section.
func lanAgent(t *testing.T, httpSection string) string {
	t.Helper()
	model, err := filepath.Abs("../testdata/models/shapes.tflite")
	if err != nil {
		t.Fatal(err)
	}
	y := fmt.Sprintf(`
version: 1
device_id: lan-test
data_dir: %q
cameras:
  - {id: shapes, uri: "synthetic:seed=1", fps: 20}
model:
  path: %q
%s
`, filepath.Join(t.TempDir(), "state"), model, httpSection)
	cfg, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatalf("config.Parse = %v\n%s", err, y)
	}
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	addr, _ := started(t, a)
	return addr
}

// writeSecret writes a secret file readable by its owner only.
func writeSecret(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHTTPAuth(t *testing.T) {
	t.Setenv("FOVEA_TEST_TOKEN", testToken)
	addr := lanAgent(t, fmt.Sprintf(`http:
  listen: "127.0.0.1:0"
  auth: {user: viewer, password_file: %q, token_env: FOVEA_TEST_TOKEN}`, writeSecret(t, testPassword+"\n")))
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	none := func(*http.Request) {}
	tests := []struct {
		name   string
		path   string
		auth   func(*http.Request)
		status int
	}{
		{"status without credentials", "/api/status", none, 401},
		{"live view without credentials", "/", none, 401},
		{"frame without credentials", "/api/cameras/shapes/frame.jpg", none, 401},
		{"metrics without credentials", "/metrics", none, 401},
		{"healthz stays open", "/healthz", none, 200},
		{"wrong password", "/api/status", basic("viewer", testPassword+"x"), 401},
		{"wrong user", "/api/status", basic("admin", testPassword), 401},
		{"empty password", "/api/status", basic("viewer", ""), 401},
		{"wrong token", "/api/status", bearer(testToken[:len(testToken)-1]), 401},
		{"password as token", "/api/status", bearer(testPassword), 401},
		{"basic auth: status", "/api/status", basic("viewer", testPassword), 200},
		{"basic auth: live view", "/", basic("viewer", testPassword), 200},
		{"basic auth: script", "/web/app.js", basic("viewer", testPassword), 200},
		{"token: status", "/api/status", bearer(testToken), 200},
		{"token: live view", "/", bearer(testToken), 200},
		{"token, lower-case scheme", "/metrics", func(r *http.Request) { r.Header.Set("Authorization", "bearer "+testToken) }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://"+addr+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.auth(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s = %d %q; want %d", tt.path, resp.StatusCode, body, tt.status)
			}
			if tt.status == 401 {
				got := strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
				if !strings.Contains(got, `Basic realm="fovea"`) || !strings.Contains(got, `Bearer realm="fovea"`) {
					t.Errorf("WWW-Authenticate = %q; want the Basic and Bearer challenges", got)
				}
				if strings.Contains(string(body), testPassword) || strings.Contains(string(body), testToken) {
					t.Errorf("the 401 body %q shows a secret", body)
				}
			}
		})
	}
}

func TestHTTPTLS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	addr := lanAgent(t, fmt.Sprintf(`http:
  listen: "127.0.0.1:0"
  auth: {token_file: %q}
  tls: {cert: %q, key: %q}`, writeSecret(t, testToken), cert, key))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 30 * time.Second}
	tests := []struct {
		name   string
		url    string
		token  string
		status int
	}{
		{"https with the token", "https://" + addr + "/api/status", testToken, 200},
		{"https without the token", "https://" + addr + "/api/status", "", 401},
		{"plain http to the TLS port", "http://" + addr + "/api/status", testToken, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s = %d %q; want %d", tt.url, resp.StatusCode, body, tt.status)
			}
			if tt.status == 200 && (resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12) {
				t.Errorf("GET %s: connection state %+v; want TLS 1.2 or later", tt.url, resp.TLS)
			}
		})
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns them with a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fovea test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

func TestLoadHTTPAuthErrors(t *testing.T) {
	env := map[string]string{"SHORT": "abc", "GOOD": testToken}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name string
		auth config.HTTPAuth
		want string // substring of the error; "" = no error
	}{
		{"none", config.HTTPAuth{}, ""},
		{"basic from a file", config.HTTPAuth{User: "u", PasswordFile: writeSecret(t, testPassword+"\nsecond line ignored\n")}, ""},
		{"token from env", config.HTTPAuth{TokenEnv: "GOOD"}, ""},
		{"missing password file", config.HTTPAuth{User: "u", PasswordFile: "/nonexistent/fovea-pw"}, "http.auth.password_file: open /nonexistent/fovea-pw"},
		{"short password", config.HTTPAuth{User: "u", PasswordFile: writeSecret(t, "abc\n")}, "must hold at least 8 characters"},
		{"empty token file", config.HTTPAuth{TokenFile: writeSecret(t, "")}, "http.auth.token_file"},
		{"unset env", config.HTTPAuth{TokenEnv: "UNSET"}, "http.auth.token_env: the environment variable UNSET must hold at least 16 characters (it has 0)"},
		{"short env", config.HTTPAuth{User: "u", PasswordEnv: "SHORT"}, "it has 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := loadHTTPAuth(tt.auth, getenv)
			if tt.want == "" {
				if err != nil || (h == nil) == tt.auth.Enabled() {
					t.Fatalf("loadHTTPAuth = %v, %v; want auth %v and no error", h, err, tt.auth.Enabled())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadHTTPAuth = %v; want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

// TestCheckHTTPFiles: `fovea config check` reads the secret and TLS files
// the configuration names.
func TestCheckHTTPFiles(t *testing.T) {
	model, err := filepath.Abs("../testdata/models/shapes.tflite")
	if err != nil {
		t.Fatal(err)
	}
	cert, key, _ := selfSigned(t)
	tests := []struct {
		name string
		http string
		want []string // substrings of the error; none = valid
	}{
		{"good files", fmt.Sprintf("listen: \"0.0.0.0:8443\"\n  auth: {user: v, password_file: %q, token_file: %q}\n  tls: {cert: %q, key: %q}",
			writeSecret(t, testPassword), writeSecret(t, testToken), cert, key), nil},
		{"env secrets are not checked here", "listen: \"0.0.0.0:8443\"\n  auth: {user: v, password_env: FOVEA_UNSET_IN_TEST}", nil},
		{"missing password file", "listen: \"0.0.0.0:8443\"\n  auth: {user: v, password_file: /nonexistent/pw}", []string{"http.auth.password_file: open /nonexistent/pw"}},
		{"short token", fmt.Sprintf("auth: {token_file: %q}", writeSecret(t, "short")), []string{"http.auth.token_file", "at least 16 characters"}},
		{"key that is not a key", fmt.Sprintf("tls: {cert: %q, key: %q}", cert, cert), []string{"http.tls: cert " + cert}},
		{"missing cert", fmt.Sprintf("tls: {cert: /nonexistent/c.pem, key: %q}", key), []string{"http.tls: open /nonexistent/c.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := fmt.Sprintf("version: 1\ndevice_id: d\ndata_dir: %q\ncameras:\n  - {id: c, uri: \"synthetic:seed=1\"}\nmodel:\n  path: %q\nhttp:\n  %s\n",
				t.TempDir(), model, tt.http)
			cfg, err := config.Parse([]byte(y))
			if err != nil {
				t.Fatalf("config.Parse = %v\n%s", err, y)
			}
			_, err = Check(cfg)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check = nil; want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check = %v; want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestLiveViewChromiumAuth loads the live view in real headless Chromium
// from an agent with basic auth, the credentials in the URL as a user
// would type them: the page must render the camera and its frame, which
// means its script's requests to /api/status and the frame endpoint were
// authenticated too. Without credentials Chromium gets a 401 with a
// Basic challenge and, headless, renders nothing of the page.
func TestLiveViewChromiumAuth(t *testing.T) {
	bin := chromium(t)
	addr := lanAgent(t, fmt.Sprintf(`http:
  listen: "127.0.0.1:0"
  auth: {user: viewer, password_file: %q}`, writeSecret(t, testPassword)))
	const budget = "--virtual-time-budget=5000"
	dom := headless(t, bin, "http://viewer:"+strings.ReplaceAll(testPassword, " ", "%20")+"@"+addr+"/", budget, "--dump-dom")
	for _, want := range []string{"<h2>shapes</h2>", `src="/api/cameras/shapes/frame.jpg?seq=`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page with credentials lacks %q:\n%s", want, dom)
		}
	}
	dom = headless(t, bin, "http://"+addr+"/", budget, "--dump-dom")
	if strings.Contains(dom, `id="cameras"`) || strings.Contains(dom, "<h2>shapes</h2>") {
		t.Errorf("rendered page without credentials shows the live view:\n%s", dom)
	}
}
