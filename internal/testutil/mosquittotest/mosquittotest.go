// Package mosquittotest runs a real mosquitto broker as a child process for
// tests: it writes a mosquitto.conf into t.TempDir(), listens on a free
// 127.0.0.1 port, waits until the port accepts connections and kills the
// broker in t.Cleanup. Stop and Restart keep the same port so tests can
// simulate broker outages. Variants add TLS (with a CA made in the test),
// a password file and an ACL file.
//
// Tests skip with a clear message when the mosquitto binary is absent.
package mosquittotest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options selects the broker variant. The zero value is a plain, anonymous,
// non-persistent listener.
type Options struct {
	// Persistence keeps sessions and queued messages across Stop/Restart
	// (mosquitto writes its database on a clean stop).
	Persistence bool
	// TLS, when set, makes the listener speak TLS with a server certificate
	// signed by TLS.CA.
	TLS *TLS
	// RequireClientCert turns on mutual TLS (require_certificate true).
	RequireClientCert bool
	// Users, when non-empty, writes a password file with mosquitto_passwd
	// and disables anonymous access.
	Users map[string]string
	// ACL, when non-empty, is written verbatim to an acl_file.
	ACL string
	// Extra is appended verbatim to mosquitto.conf.
	Extra string
}

// Broker is a running (or stopped) mosquitto child process.
type Broker struct {
	t    testing.TB
	dir  string
	conf string
	port int
	tls  bool

	mu   sync.Mutex // guards cmd and log
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{} // closed when cmd has been waited for
}

// Binary returns the path of the mosquitto binary, or "" when absent.
func Binary() string {
	for _, p := range []string{"mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// Start writes the configuration and starts the broker. It skips the test
// when mosquitto is not installed.
func Start(t testing.TB, opts Options) *Broker {
	t.Helper()
	if Binary() == "" {
		t.Skip("skipping: mosquitto is not installed (apt-get install -y mosquitto mosquitto-clients); these tests need a real broker")
	}
	b := &Broker{t: t, dir: t.TempDir(), port: freePort(t), tls: opts.TLS != nil}
	b.conf = filepath.Join(b.dir, "mosquitto.conf")
	if err := b.writeConfig(opts); err != nil {
		t.Fatalf("mosquittotest.Start: %v", err)
	}
	t.Cleanup(func() { b.kill(syscall.SIGKILL) })
	b.start()
	return b
}

// Port returns the listener port (stable across Restart).
func (b *Broker) Port() int { return b.port }

// Addr returns "127.0.0.1:port".
func (b *Broker) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// URL returns the broker URL: mqtt://… or mqtts://… for TLS listeners.
func (b *Broker) URL() string {
	if b.tls {
		return "mqtts://" + b.Addr()
	}
	return "mqtt://" + b.Addr()
}

// Dir returns the folder holding the configuration and any files written
// for it (certificates, password and ACL files).
func (b *Broker) Dir() string { return b.dir }

// Log returns what the broker wrote to stdout/stderr so far.
func (b *Broker) Log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.log == nil {
		return ""
	}
	return b.log.String()
}

// Stop terminates the broker cleanly (SIGTERM, so a persistent broker saves
// its database) and waits for it to exit.
func (b *Broker) Stop() { b.kill(syscall.SIGTERM) }

// Kill terminates the broker with SIGKILL and waits for it to exit.
func (b *Broker) Kill() { b.kill(syscall.SIGKILL) }

// Restart stops the broker if it runs and starts it again on the same port
// with the current configuration (SetACL may have changed it).
func (b *Broker) Restart() {
	b.t.Helper()
	b.Stop()
	b.start()
}

// SetACL rewrites the ACL file; it takes effect on the next Restart.
func (b *Broker) SetACL(acl string) {
	b.t.Helper()
	if err := os.WriteFile(filepath.Join(b.dir, "acl"), []byte(acl), 0o600); err != nil {
		b.t.Fatalf("mosquittotest.SetACL: %v", err)
	}
}

func (b *Broker) start() {
	b.t.Helper()
	b.mu.Lock()
	if b.cmd != nil {
		b.mu.Unlock()
		b.t.Fatalf("mosquittotest: broker already running")
	}
	var log bytes.Buffer
	cmd := exec.Command(Binary(), "-c", b.conf)
	cmd.Stdout = &lockedWriter{mu: &b.mu, w: &log}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		b.mu.Unlock()
		b.t.Fatalf("mosquittotest: start mosquitto: %v", err)
	}
	done := make(chan struct{})
	b.cmd, b.log, b.done = cmd, &log, done
	b.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.Addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			b.t.Fatalf("mosquittotest: mosquitto exited at start-up:\n%s", b.Log())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquittotest: port %d did not accept within 10s:\n%s", b.port, b.Log())
		}
	}
}

func (b *Broker) kill(sig syscall.Signal) {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd = nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (b *Broker) writeConfig(opts Options) error {
	var c bytes.Buffer
	fmt.Fprintf(&c, "listener %d 127.0.0.1\n", b.port)
	if os.Geteuid() == 0 {
		c.WriteString("user root\n")
	}
	c.WriteString("log_dest stdout\nlog_type error\nlog_type warning\nlog_type notice\n")
	c.WriteString("max_queued_messages 0\nmax_inflight_messages 0\n")
	if opts.Persistence {
		fmt.Fprintf(&c, "persistence true\npersistence_location %s/\n", b.dir)
	} else {
		c.WriteString("persistence false\n")
	}
	if len(opts.Users) > 0 {
		pw := filepath.Join(b.dir, "passwd")
		if err := writePasswords(pw, opts.Users); err != nil {
			return err
		}
		fmt.Fprintf(&c, "allow_anonymous false\npassword_file %s\n", pw)
	} else {
		c.WriteString("allow_anonymous true\n")
	}
	if opts.ACL != "" {
		p := filepath.Join(b.dir, "acl")
		if err := os.WriteFile(p, []byte(opts.ACL), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(&c, "acl_file %s\n", p)
	}
	if opts.TLS != nil {
		files, err := opts.TLS.writeServerFiles(b.dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(&c, "cafile %s\ncertfile %s\nkeyfile %s\n", files.ca, files.cert, files.key)
		if opts.RequireClientCert {
			c.WriteString("require_certificate true\n")
		}
	}
	c.WriteString(opts.Extra)
	return os.WriteFile(b.conf, c.Bytes(), 0o600)
}

func writePasswords(path string, users map[string]string) error {
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return err
	}
	bin, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		return fmt.Errorf("mosquitto_passwd not found (apt-get install -y mosquitto): %w", err)
	}
	for u, p := range users {
		out, err := exec.Command(bin, "-b", path, u, p).CombinedOutput()
		if err != nil {
			return fmt.Errorf("mosquitto_passwd -b %s: %v: %s", u, err, out)
		}
	}
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mosquittotest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
